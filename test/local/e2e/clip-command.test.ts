import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signedFetch } from '../../../local/auth/signed-fetch.ts';
import { probeClip } from '../../fixtures/clip-judges.ts';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.ts';
import { parseMediaPlaylist } from '../../support/hls-text.ts';

const run = promisify(execFile);
const CAMREC = fileURLToPath(new URL('../../../bin/camrec.js', import.meta.url));
const CAM = 'cam-1';

let dir: string;
let stack: LocalStackProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camrec-e2e-clip-'));
  stack = await startLocalStackProcess(dir);
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('camrec local + camrec clip', () => {
  test('exports what the camera recorded as one MP4 (moov first, video and audio, clean decode) and prints its SHA-256', async () => {
    const res = await signedFetch(`${stack.info.apiUrl}/v1/cameras/${CAM}/sessions`, {
      credentials: stack.info.credentials,
      region: stack.info.region,
      json: { mode: 'LIVE' },
    });
    const { playlistUrl } = (await res.json()) as { playlistUrl: string };
    let segs = parseMediaPlaylist(await (await fetch(playlistUrl)).text()).segments;
    for (const until = Date.now() + 40_000; segs.length < 3 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 500));
      segs = parseMediaPlaylist(await (await fetch(playlistUrl)).text()).segments;
    }
    expect(segs.length).toBeGreaterThanOrEqual(3);
    const start = new Date(segs[0]!.programDateTimeMs!).toISOString();
    const last = segs.at(-1)!;
    const end = new Date(last.programDateTimeMs! + last.durationS * 1000).toISOString();
    const out = join(dir, 'clip.mp4');
    const { stdout, stderr } = await run(process.execPath, [CAMREC, 'clip', '--camera', CAM, '--start', start, '--end', end, '--out', out, '--data-dir', dir], {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      timeout: 120_000,
    });
    expect(stderr).toMatch(/exporting[\s\S]*ready/);
    const sha = /sha256 (\S+)/.exec(stdout)![1];
    expect(sha).toBe(
      createHash('sha256')
        .update(await readFile(out))
        .digest('base64'),
    );
    const probe = await probeClip(out);
    expect(probe.topBoxes.slice(0, 2)).toEqual(['ftyp', 'moov']);
    expect(probe.streams).toEqual(['video', 'audio']);
    expect(probe.decodeWarnings).toBe('');
    const recorded = segs.reduce((a, s) => a + s.durationS, 0);
    expect(Math.abs(probe.durationSeconds - recorded)).toBeLessThanOrEqual(segs.length * 0.04 + 0.05);
  }, 180_000);

  test('an unsigned clip request is refused, as API Gateway refuses it', async () => {
    const res = await fetch(`${stack.info.apiUrl}/v1/cameras/${CAM}/clips`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ start: new Date().toISOString(), end: new Date().toISOString() }),
    });
    expect(res.status).toBe(403);
    const list = await fetch(`${stack.info.apiUrl}/v1/cameras/${CAM}/clips`);
    expect(list.status).toBe(403);
  });
});
