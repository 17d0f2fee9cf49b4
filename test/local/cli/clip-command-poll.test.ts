import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../../../local/cli/clip-command.ts';

const CLIP_ID = '1796203881442-6283593e';
const MP4 = Buffer.from('not really an mp4, but the bytes the download must keep');

/**
 * `camrec clip` against a real HTTP server standing in for the playback API: the status
 * reads in between may meet a failed request, and the export goes on server-side whatever
 * one read met, so the command asks again; a refusal ends it.
 */
describe('camrec clip while it waits for the export', () => {
  let server: Server;
  let apiUrl: string;
  let dir: string;
  /** What the server answers to each status read, in order (then READY). */
  let statusAnswers: number[];
  let statusReads: number;
  const env = { ...process.env };

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    delete process.env.AWS_PROFILE;
    dir = await mkdtemp(join(tmpdir(), 'camrec-clip-poll-'));
    server = createServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname;
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method === 'POST' && path === '/v1/cameras/door/clips') return json(202, { clipId: CLIP_ID, state: 'EXPORTING' });
      if (req.method === 'GET' && path === `/v1/cameras/door/clips/${CLIP_ID}`) {
        const status = statusAnswers[statusReads++];
        if (status === 500) return json(500, { message: 'internal error; retry later' });
        if (status === 404) return json(404, { error: { code: 'clip_not_found', message: `camera door has no clip ${CLIP_ID}` } });
        if (status === 202) return json(200, { clipId: CLIP_ID, state: 'EXPORTING' });
        return json(200, { clipId: CLIP_ID, state: 'READY', downloadUrl: `${apiUrl}/download`, sha256: 'ab'.repeat(32), sizeBytes: MP4.length });
      }
      if (path === '/download') return res.writeHead(200, { 'content-type': 'video/mp4' }).end(MP4);
      return json(404, { message: 'no route' });
    }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    statusReads = 0;
  });
  afterAll(async () => {
    process.env = env;
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const request = (out: string) => ({
    camera: 'door',
    start: '2026-12-02T09:30:35.502Z',
    end: '2026-12-02T09:31:19.502Z',
    out: join(dir, out),
    timeoutMs: 60_000,
    firstWaitMs: 20, // the command's own 500 ms, doubling, would make this test wait 7.5 s
    target: { kind: 'deployed' as const, apiUrl, region: 'eu-west-1' },
  });

  it('asks again after a status read that failed (500), says so, and downloads the clip once it is ready', async () => {
    statusAnswers = [202, 500, 202];
    statusReads = 0;
    const lines: string[] = [];
    const answer = await makeClip(request('a.mp4'), (l) => lines.push(l));
    expect(answer.state).toBe('READY');
    expect(await readFile(join(dir, 'a.mp4'))).toEqual(MP4);
    expect(statusReads).toBe(4);
    expect(lines).toContain(`clip ${CLIP_ID}: the playback API answered 500: internal error; retry later; asking again`);
  }, 30_000);

  it('stops at a refusal (404) with what the API said', async () => {
    statusAnswers = [404];
    statusReads = 0;
    await expect(makeClip(request('b.mp4'))).rejects.toThrow(`the playback API answered 404: camera door has no clip ${CLIP_ID}`);
    expect(statusReads).toBe(1);
  }, 30_000);
});
