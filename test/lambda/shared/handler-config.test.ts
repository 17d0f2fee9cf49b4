import { describe, expect, test } from 'vitest';
import { LambdaEnv } from '../../../contract/index.ts';
import { RequiredEnv, readHandlerConfig } from '../../../lambda/shared/lambda-config.ts';

const keysEnv = {
  [LambdaEnv.BUCKET_NAME]: 'b',
  [LambdaEnv.TABLE_NAME]: 't',
  [LambdaEnv.TARGET_DURATION_SECONDS]: '6',
  [LambdaEnv.LIVE_WINDOW_SEGMENTS]: '5',
  [LambdaEnv.TOKEN_SECRET_ID]: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
  [LambdaEnv.CONTENT_KEY_ID]: 'arn:aws:kms:eu-west-1:1:key/k',
  [LambdaEnv.CORS_ORIGINS]: '*',
};

describe('typed resource ids at cold start', () => {
  test('the keys function gets its token secret and content key ids as typed fields', () => {
    const c = readHandlerConfig(keysEnv, RequiredEnv.keys, ['tokenSecretId', 'contentKeyId']);
    expect(c.tokenSecretId).toBe('arn:aws:secretsmanager:eu-west-1:1:secret:x');
    expect(c.contentKeyId).toBe('arn:aws:kms:eu-west-1:1:key/k');
  });

  test('an id a function names is required even when its list forgot it, and named in the one error', () => {
    const { [LambdaEnv.CONTENT_KEY_ID]: _k, [LambdaEnv.TOKEN_SECRET_ID]: _s, ...rest } = keysEnv;
    expect(() => readHandlerConfig(rest, [], ['tokenSecretId', 'contentKeyId'])).toThrow(
      new RegExp(`missing environment variable\\(s\\) ${LambdaEnv.TOKEN_SECRET_ID}, ${LambdaEnv.CONTENT_KEY_ID}`),
    );
    expect(() => readHandlerConfig({}, [], ['packerFunctionName'])).toThrow(new RegExp(LambdaEnv.PACKER_FUNCTION_NAME));
  });
});
