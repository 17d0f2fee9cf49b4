import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnyEventRecord } from '../../../contract/index.ts';
import type { Agent } from '../../../device/agent/agent.ts';
import { getObject, listKeys, makeClip, readSegments, sleep, until } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

const day = (n: number) => Date.UTC(2025, 1, n, 12);
const DAY_MS = 86_400_000;

function call(address: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const url = new URL(address + path);
  return new Promise((ok, fail) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method, headers: { 'content-type': 'application/json' } }, (res) => {
      let t = '';
      res.on('data', (c: Buffer) => (t += c.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, json: JSON.parse(t) }));
    });
    req.on('error', fail);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('recording modes, control endpoint and bad input', () => {
  let clip: Uint8Array[];
  let agent: Agent | undefined;
  const stack = useAgentStack({
    beforeAll: (s) => {
      clip = makeClip(s.dir, 10);
    },
  });

  const feed = (a: Agent, base: number, from: number, to: number) => {
    for (let i = from; i < to; i++) a.putVideoFrame(clip[i]!, base + i * 40);
  };

  it('event mode through the control endpoint: pre-record, post-record, event record; nothing else uploaded', async () => {
    agent = await stack.startAgent(stack.config({ recording: { mode: 'event', preRecordSeconds: 1, postRecordSeconds: 1 }, control: { port: 0 } }));
    const base = day(1);
    feed(agent, base, 0, 100); // 4 s of nothing happening
    const started = await call(agent.controlAddress!, 'POST', '/v1/events', { type: 'motion', eventId: 'ev-1' });
    expect(started).toEqual({ status: 201, json: { eventId: 'ev-1' } });
    // the event starts "now" on the agent's clock; use explicit times for a deterministic test
    agent.stopEvent();
    agent.startEvent('motion', { eventId: 'ev-2', atMs: base + 4000 });
    feed(agent, base, 100, 150); // 2 s of event
    agent.stopEvent(base + 6000);
    feed(agent, base, 150, 250); // 4 s after: only 1 s post-record kept
    agent.cutSegment();
    await until('uploads done', () => agent!.status().backlog.objects === 0 && agent!.status().segmentsRecorded >= 4);
    const segs = await readSegments(stack, { fromMs: base, toMs: base + DAY_MS });
    const starts = segs.map((s) => s.meta.startMs - base);
    expect(starts).toEqual([3000, 4000, 5000, 6000]); // 1 s before, the event, 1 s after
    const events = await listKeys(stack, 'events');
    const read = async (suffix: string) =>
      parseAnyEventRecord(
        JSON.parse(
          (
            await getObject(
              stack,
              events.find((k) => k.endsWith(suffix))!,
            )
          ).body.toString(),
        ),
      );
    expect(await read('-ev-2.json')).toMatchObject({ version: 2, phase: 'start', eventId: 'ev-2', type: 'motion', startMs: base + 4000 });
    expect(await read('-ev-2.end.json')).toMatchObject({
      version: 2,
      phase: 'end',
      eventId: 'ev-2',
      type: 'motion',
      startMs: base + 4000,
      endMs: base + 6000,
      endReason: 'stopped',
    });
    const bad = await call(agent.controlAddress!, 'POST', '/v1/events', { type: 'Not Valid!' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/event type/);
  });

  it('privacy pause: nothing recorded or uploaded while paused; audio switch and mode answer on the endpoint', async () => {
    agent = await stack.startAgent(stack.config({ control: { port: 0 } }));
    const base = day(2);
    feed(agent, base, 0, 50);
    expect((await call(agent.controlAddress!, 'PUT', '/v1/privacy', { paused: true })).json.recording.privacyPaused).toBe(true);
    feed(agent, base, 50, 150); // ignored
    await sleep(100);
    const during = agent.status();
    expect((await call(agent.controlAddress!, 'PUT', '/v1/privacy', { paused: false })).json.recording.privacyPaused).toBe(false);
    feed(agent, base, 150, 225);
    agent.cutSegment();
    expect((await call(agent.controlAddress!, 'PUT', '/v1/audio', { enabled: false })).json.recording.audio).toBe(false);
    expect((await call(agent.controlAddress!, 'PUT', '/v1/mode', { mode: 'continuous' })).status).toBe(200);
    expect((await call(agent.controlAddress!, 'GET', '/v1/nope')).status).toBe(404);
    await until('uploads done', () => agent!.status().backlog.objects === 0 && agent!.status().segmentsRecorded >= 4);
    const segs = await readSegments(stack, { fromMs: base, toMs: base + DAY_MS });
    const starts = segs.map((s) => s.meta.startMs - base);
    expect(starts.filter((s) => s >= 2000 && s < 6000)).toEqual([]); // the paused span
    expect(starts.some((s) => s >= 6000)).toBe(true);
    expect(during.segmentsUploaded).toBeLessThanOrEqual(2);
    expect(new Set(segs.map((s) => s.meta.discSeq)).size).toBe(2); // resume is a discontinuity
  });

  it('PUT /v1/upload sets and lifts the upload cap and the backlog windows at run time; bad values are refused', async () => {
    agent = await stack.startAgent(stack.config({ control: { port: 0 } }));
    const set = await call(agent.controlAddress!, 'PUT', '/v1/upload', { maxBytesPerSecond: 125_000, backlogWindows: ['01:00-05:00'] });
    expect(set.status).toBe(200);
    expect(set.json.upload).toMatchObject({ maxBytesPerSecond: 125_000, backlogWindows: ['01:00-05:00'] });
    expect(agent.status().upload.maxBytesPerSecond).toBe(125_000);
    const lifted = await call(agent.controlAddress!, 'PUT', '/v1/upload', { maxBytesPerSecond: null, backlogWindows: [] });
    expect(lifted.json.upload).toMatchObject({ maxBytesPerSecond: null, backlogWindows: [], backlogWindowOpen: true });
    const bad = await call(agent.controlAddress!, 'PUT', '/v1/upload', { maxBytesPerSecond: 10 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/at least 8000/);
    const badWindow = await call(agent.controlAddress!, 'PUT', '/v1/upload', { maxBytesPerSecond: null, backlogWindows: ['25:00-01:00'] });
    expect(badWindow.json.error.message).toMatch(/HH:MM-HH:MM/);
    expect(agent.status().upload.backlogWindows).toEqual([]); // a refused change changes nothing
  });

  it('corrupt and truncated video is counted and skipped; recording carries on', async () => {
    agent = await stack.startAgent(stack.config());
    const base = day(3);
    feed(agent, base, 0, 60);
    agent.putVideoFrame(Buffer.from([0, 0, 0, 1, 0x65, 0xff, 0xff, 0xff]), base + 60 * 40); // a broken IDR slice
    agent.pushVideo(Buffer.alloc(5000, 0xab), base + 61 * 40); // garbage
    agent.putVideoFrame(clip[62]!.subarray(0, clip[62]!.length >> 1), base + 62 * 40); // truncated frame
    feed(agent, base, 75, 200);
    agent.cutSegment();
    // 0-2 s, the 2-3 s segment cut short by the bad frames, then 3-8 s: wait for all of them.
    await until('uploads done', () => agent!.status().backlog.objects === 0 && agent!.status().segmentsRecorded >= 8);
    const st = agent.status();
    expect(st.inputErrors + st.segmenter.inputErrors).toBeGreaterThan(0);
    expect(st.state).toBe('running');
    const segs = await readSegments(stack, { fromMs: base, toMs: base + DAY_MS });
    expect(
      segs.some((s) => s.meta.startMs >= base + 4000),
      JSON.stringify(segs.map((s) => [s.meta.startMs - base, s.meta.durationMs])),
    ).toBe(true);
  });

  it('a FIFO source that stalls and whose writer closes is counted; the agent keeps recording', async () => {
    const fifo = join(stack.dir, 'video.fifo');
    execFileSync('mkfifo', [fifo]);
    agent = await stack.startAgent(stack.config({ source: { type: 'fifo', path: fifo, stallSeconds: 1 } }));
    const raw = join(stack.dir, 'raw.h264');
    writeFileSync(raw, Buffer.concat(clip.slice(0, 60)));
    // A writer that sends 2.4 s of video, stalls for 3 s (the stall is 1 s), then closes the FIFO.
    const writer = spawn('sh', ['-c', `(cat '${raw}'; sleep 3) > '${fifo}'`], { stdio: 'ignore' });
    await new Promise((r) => writer.on('exit', r));
    await until('the stall and the close counted', () => agent!.status().sourceErrors >= 2);
    const before = agent.status().segmenter.frames;
    // A new writer, as a restarted camera process would: it opens the FIFO again whenever its
    // open ends, so bytes written while the agent was still closing its old read end (a FIFO
    // drops what is left in it when its last reader closes) are sent again once it has reopened.
    const again = spawn('sh', ['-c', `while :; do cat '${raw}' > '${fifo}'; done`], { stdio: 'ignore' });
    try {
      await until('recording carried on: a whole clip from the new writer', () => agent!.status().segmenter.frames >= before + 59, 60_000);
    } finally {
      again.kill('SIGKILL');
    }
    expect(agent.status().state).toBe('running');
  }, 120_000);

  it('an unreadable spool entry at start is logged, counted and skipped; the good ones drain', async () => {
    const cfg = stack.config();
    mkdirSync(cfg.buffer.spoolDir, { recursive: true });
    writeFileSync(join(cfg.buffer.spoolDir, 's-0000000000000001-bad.spool'), Buffer.from('CRSP\x01\x00\x00\x00\x10{not json'));
    agent = await stack.startAgent(cfg);
    expect(agent.status().spoolCorrupt).toBe(1);
    feed(agent, day(4), 0, 50);
    agent.cutSegment();
    await until('uploads done', () => agent!.status().backlog.objects === 0 && agent!.status().segmentsUploaded === 2);
  });
});
