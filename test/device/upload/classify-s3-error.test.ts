import { describe, expect, it } from 'vitest';
import { CredentialsError } from '../../../device/agent/agent-errors.ts';
import { classifyS3Error } from '../../../device/upload/classify-s3-error.ts';

const s3err = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('classifyS3Error', () => {
  it.each([
    ['SlowDown', 503, true, false],
    ['InternalError', 500, true, false],
    ['ExpiredToken', 400, true, true],
    ['RequestTimeTooSkewed', 403, true, false],
    ['AccessDenied', 403, true, false],
    ['InvalidArgument', 400, false, false],
    ['EntityTooLarge', 400, false, false],
  ])('%s (%i): retryable %s, credentials rejected %s', (name, status, retryable, rejected) => {
    const e = classifyS3Error(s3err(name, status), 'segments/x.ts');
    expect(e.retryable).toBe(retryable);
    expect(e.credentialsRejected).toBe(rejected);
    expect(e.message).toContain(`S3 answered ${status} ${name}`);
  });

  it('network errors and missing credentials are retried; missing credentials do not force a refetch', () => {
    expect(classifyS3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'k').retryable).toBe(true);
    const noCreds = classifyS3Error(new CredentialsError('IoT answered 404', { retryable: false, statusCode: 404 }), 'k');
    expect(noCreds.retryable).toBe(true);
    expect(noCreds.credentialsRejected).toBe(false);
  });
});
