import { describe, expect, it } from 'vitest';
import { CredentialsError } from '../../../device/core/agent-errors.ts';
import { classifyS3Error } from '../../../device/upload/classify-s3-error.ts';

const s3err = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('classifyS3Error', () => {
  it.each([
    ['SlowDown', 503, 'transient', false],
    ['InternalError', 500, 'transient', false],
    ['ExpiredToken', 400, 'credentials', true],
    ['RequestTimeTooSkewed', 403, 'transient', false],
    ['AccessDenied', 403, 'configuration', false],
    ['NoSuchBucket', 404, 'configuration', false],
    ['PermanentRedirect', 301, 'configuration', false],
    ['AuthorizationHeaderMalformed', 400, 'configuration', false],
    ['ConditionalRequestConflict', 409, 'conflict', false],
    ['InvalidArgument', 400, 'rejected', false],
    ['EntityTooLarge', 400, 'rejected', false],
  ])('%s (%i): kept and retried as %s, credentials rejected %s', (name, status, problem, rejected) => {
    const e = classifyS3Error(s3err(name, status), 'segments/x.ts');
    expect(e.retryable).toBe(true); // only S3's 200 (or 412 on a retry) lets an object go
    expect(e.problem).toBe(problem);
    expect(e.credentialsRejected).toBe(rejected);
    expect(e.message).toContain(`S3 answered ${status} ${name}`);
    if (problem === 'configuration') expect(e.message).toMatch(/device\.json|IAM role/);
  });

  it('network errors and missing credentials are retried; missing credentials do not force a refetch', () => {
    expect(classifyS3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'k').retryable).toBe(true);
    const noCreds = classifyS3Error(new CredentialsError('IoT answered 404', { retryable: false, statusCode: 404 }), 'k');
    expect(noCreds.retryable).toBe(true);
    expect(noCreds.credentialsRejected).toBe(false);
  });
});
