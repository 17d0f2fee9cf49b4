import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeClip, readSegments, until } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

function camrec(args: string[]) {
  const child = spawn(process.execPath, [join(ROOT, 'bin/camrec.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

function getJson(socketPath: string, path: string, method = 'GET', body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((ok, fail) => {
    const req = request({ socketPath, path, method, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', fail);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('camrec agent --config', () => {
  const stack = useAgentStack();

  it('lists every config problem at once and exits 2', async () => {
    const file = join(stack.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ deviceId: 'a/b', region: 'x', bucket: 'B', segmentSeconds: 99 }));
    const p = camrec(['agent', '--config', file]);
    expect(await p.exited).toBe(2);
    for (const f of ['deviceId', 'bucket', 'segmentSeconds', 'credentials', 'buffer', 'stateDir']) expect(p.err()).toContain(f);
  });

  it('records a file source, answers status on its control socket, reloads on SIGHUP, exits within 5 s of SIGTERM', async () => {
    const clip = join(stack.dir, 'cli-clip.h264');
    writeFileSync(clip, Buffer.concat(makeClip(stack.dir, 3)));
    const socketPath = join(stack.dir, 'control.sock');
    const cfg = stack.config({ source: { type: 'file', path: clip, fps: 25, loop: true }, control: { socketPath } });
    const file = join(stack.dir, 'device.json');
    writeFileSync(file, JSON.stringify(cfg));
    const startedAt = Date.now();
    const p = camrec(['agent', '--config', file, '--status-seconds', '0']);
    await until(
      'two segments uploaded',
      async () => {
        try {
          return (await getJson(socketPath, '/v1/status')).json.segmentsUploaded >= 2;
        } catch {
          return false;
        }
      },
      30_000,
    );
    // SIGHUP: switch to event mode in the file; the running agent picks it up.
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), recording: { ...cfg.recording, mode: 'event' } }));
    p.child.kill('SIGHUP');
    await until('mode reloaded', async () => (await getJson(socketPath, '/v1/status')).json.recording.mode === 'event');
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    const logs = p
      .err()
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(logs.some((l) => l.msg === 'config reloaded')).toBe(true);
    const final = logs.filter((l) => l.msg === 'status').at(-1).status;
    const segs = await readSegments(stack, { fromMs: startedAt });
    // Everything recorded is in S3 or in the spool for the next start.
    expect(segs.length + final.spool.entries).toBeGreaterThanOrEqual(final.segmentsRecorded);
    expect(final.segmentsRecorded).toBeGreaterThanOrEqual(2);
  });

  it('on SIGHUP applies only what the file changed: a switch flipped on the control endpoint stays until the file or the endpoint flips it', async () => {
    const clip = join(stack.dir, 'reload-clip.h264');
    writeFileSync(clip, Buffer.concat(makeClip(stack.dir, 3)));
    const socketPath = join(stack.dir, 'reload.sock');
    const cfg = stack.config({ source: { type: 'file', path: clip, fps: 25, loop: true }, control: { socketPath }, heartbeatSeconds: 0 });
    const file = join(stack.dir, 'reload.json');
    writeFileSync(file, JSON.stringify(cfg));
    const p = camrec(['agent', '--config', file, '--status-seconds', '0']);
    const status = async () => (await getJson(socketPath, '/v1/status')).json;
    const reloads = () =>
      p
        .err()
        .split('\n')
        .filter((l) => l.includes('"config reloaded')).length;
    const sighup = async (edit: (c: any) => any) => {
      const before = reloads();
      writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')))));
      p.child.kill('SIGHUP');
      await until('config reloaded', async () => reloads() > before);
    };
    try {
      await until(
        'agent running',
        async () => {
          try {
            return (await status()).state === 'running';
          } catch {
            return false;
          }
        },
        30_000,
      );
      // Every run-time switch flipped away from the file's value on the control endpoint.
      expect((await getJson(socketPath, '/v1/audio', 'PUT', { enabled: false })).status).toBe(200);
      expect((await getJson(socketPath, '/v1/mode', 'PUT', { mode: 'event' })).status).toBe(200);
      expect((await getJson(socketPath, '/v1/upload', 'PUT', { maxBytesPerSecond: 50_000, backlogWindows: ['01:00-02:00'] })).status).toBe(200);
      expect((await getJson(socketPath, '/v1/privacy', 'PUT', { paused: true })).status).toBe(200);
      const flipped = {
        recording: { mode: 'event', privacyPaused: true, audio: false },
        upload: { maxBytesPerSecond: 50_000, backlogWindows: ['01:00-02:00'] },
      };
      expect(await status()).toMatchObject(flipped);

      // A SIGHUP whose file changes none of them (only the post-record time) keeps them all.
      await sighup((c) => ({ ...c, recording: { ...c.recording, postRecordSeconds: 7 } }));
      expect(await status()).toMatchObject(flipped);

      // A field the file changes does apply, over the run-time value; the others stay.
      expect((await getJson(socketPath, '/v1/privacy', 'PUT', { paused: false })).status).toBe(200);
      await sighup((c) => ({ ...c, recording: { ...c.recording, privacyPaused: true }, upload: { ...c.upload, maxBytesPerSecond: 100_000 } }));
      expect(await status()).toMatchObject({
        recording: { mode: 'event', privacyPaused: true, audio: false },
        upload: { maxBytesPerSecond: 100_000, backlogWindows: ['01:00-02:00'] },
      });
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
