import { describe, expect, it, vi } from 'vitest';
import { LambdaEnv } from '../../../contract/index.ts';
import { RequiredEnv, readPlaybackConfig } from '../../../lambda/shared/lambda-config.ts';

const apiEnv = {
  [LambdaEnv.BUCKET_NAME]: 'b',
  [LambdaEnv.TABLE_NAME]: 't',
  [LambdaEnv.TARGET_DURATION_SECONDS]: '6',
  [LambdaEnv.LIVE_WINDOW_SEGMENTS]: '5',
  [LambdaEnv.TOKEN_SECRET_ID]: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
  [LambdaEnv.CORS_ORIGINS]: 'https://a.example, https://b.example',
};

describe('configuration at cold start', () => {
  it('reads every value once, with the base URL optional', () => {
    expect(readPlaybackConfig({ ...apiEnv, [LambdaEnv.PUBLIC_BASE_URL]: 'https://api.example.com/' }, RequiredEnv.api)).toMatchObject({
      bucketName: 'b',
      tableName: 't',
      targetDurationSeconds: 6,
      liveWindowSegments: 5,
      corsOrigins: ['https://a.example', 'https://b.example'],
      publicBaseUrl: 'https://api.example.com',
    });
  });

  it('names every missing variable and every bad value', () => {
    expect(() => readPlaybackConfig({ [LambdaEnv.BUCKET_NAME]: 'b' }, RequiredEnv.api)).toThrow(
      new RegExp(`${LambdaEnv.TABLE_NAME}.*${LambdaEnv.TOKEN_SECRET_ID}`),
    );
    expect(() =>
      readPlaybackConfig(
        { ...apiEnv, [LambdaEnv.TARGET_DURATION_SECONDS]: '6.5', [LambdaEnv.LIVE_WINDOW_SEGMENTS]: '1', [LambdaEnv.PUBLIC_BASE_URL]: 'ftp://x' },
        RequiredEnv.api,
      ),
    ).toThrow(/TARGET_DURATION_SECONDS="6.5".*LIVE_WINDOW_SEGMENTS="1".*must be an http\(s\) URL/);
  });

  it.each([
    ['api', '../../../lambda/api/handler.ts'],
    ['keys', '../../../lambda/keys/handler.ts'],
    ['indexer', '../../../lambda/indexer/handler.ts'],
  ])('the %s handler refuses to load without its configuration', async (_name, path) => {
    vi.resetModules();
    const saved = { ...process.env };
    for (const name of Object.values(LambdaEnv)) delete process.env[name];
    try {
      // (resetModules loads a fresh copy of the error class, so match by name.)
      await expect(import(path)).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringMatching(/missing environment variable/) });
    } finally {
      process.env = saved;
    }
  });
});
