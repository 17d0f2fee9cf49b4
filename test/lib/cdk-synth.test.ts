import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LambdaEnv } from '../../contract/index.ts';
import { DEFAULT_STACK_NAME } from '../../lib/stack-outputs.ts';
import { REPO_ROOT } from './support/cdk-test-app.ts';

const run = promisify(execFile);

/** An environment with no AWS credentials or region and no instance metadata: synth must not need them. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_')));
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  };
}

let out: string;
let result: { stdout: string; stderr: string; code: number };

// One real `npx cdk synth` (the pinned aws-cdk CLI, cdk.json's `npx tsx bin/app.ts`,
// esbuild bundling of the six handlers, cdk-nag on) for the whole file.
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'camrec-synth-'));
  try {
    const r = await run('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--ci', '-o', out], {
      cwd: REPO_ROOT,
      env: offlineEnv(),
      maxBuffer: 32 * 1024 * 1024,
    });
    result = { ...r, code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number };
    result = { stdout: err.stdout ?? '', stderr: err.stderr ?? String(e), code: err.code ?? 1 };
  }
}, 180_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npx cdk synth (offline, cdk-nag on)', () => {
  test('succeeds with no credentials, no Docker and no unacknowledged cdk-nag finding', () => {
    expect(result.stderr).not.toMatch(/AwsSolutions-/);
    expect(result.stderr).not.toMatch(/docker/i);
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(existsSync(join(out, `${DEFAULT_STACK_NAME}.template.json`))).toBe(true);
  });

  test('the template is environment-agnostic (no account or region baked in)', () => {
    const text = readFileSync(join(out, `${DEFAULT_STACK_NAME}.template.json`), 'utf8');
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(JSON.parse(text).Resources).toBeDefined();
  });

  test('each bundled handler loads on its own in Node and exports handler', async () => {
    const assets = readdirSync(out).filter((d) => d.startsWith('asset.') && existsSync(join(out, d, 'index.mjs')));
    // indexer, api, keys, offline checker, packer, sweep, clip export
    expect(assets).toHaveLength(7);
    const env = {
      ...offlineEnv(),
      AWS_REGION: 'eu-west-1',
      [LambdaEnv.BUCKET_NAME]: 'bucket',
      [LambdaEnv.TABLE_NAME]: 'table',
      [LambdaEnv.RETENTION_DAYS]: '30',
      [LambdaEnv.TARGET_DURATION_SECONDS]: '6',
      [LambdaEnv.LIVE_WINDOW_SEGMENTS]: '5',
      [LambdaEnv.TOKEN_SECRET_ID]: 'secret',
      [LambdaEnv.CONTENT_KEY_ID]: 'key',
      [LambdaEnv.CORS_ORIGINS]: '*',
      [LambdaEnv.EVENT_BUS_NAME]: 'bus',
      [LambdaEnv.WATCH_QUEUE_URL]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/watch',
      [LambdaEnv.OFFLINE_AFTER_SECONDS]: '90',
      [LambdaEnv.PACK_STORAGE_CLASS]: 'STANDARD_IA',
      [LambdaEnv.EVENT_PACK_STORAGE_CLASS]: 'GLACIER_IR',
      [LambdaEnv.PACK_DRAIN_SECONDS]: '43500',
      [LambdaEnv.PACKER_FUNCTION_NAME]: 'packer',
      [LambdaEnv.CLIP_KEY_ID]: 'clip-key',
    };
    for (const a of assets) {
      const dir = join(out, a);
      // cwd is the asset folder, outside the repo: nothing resolves from node_modules.
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('./index.mjs'); console.log(typeof m.handler);"], {
        cwd: dir,
        env,
      });
      expect(stdout.trim(), a).toBe('function');
    }
  }, 60_000);
});
