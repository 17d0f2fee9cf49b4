import { describe, expect, it } from 'vitest';
import { parseObjectKey } from '../../../contract/index.ts';
import type { Agent } from '../../../device/agent/agent.ts';
import { silentLogger } from '../../../device/core/json-logger.ts';
import { isWholeTs, makeClip, readSegments, sleep, until } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

/** 1 Mbit/s. */
const CAP_BYTES_PER_SECOND = 125_000;
const FPS = 25;

/** Feeds the clip in real time (looped) until `stop()`; frames carry their wall-clock capture time. */
function camera(agent: Agent, frames: Uint8Array[]): { stop(): Promise<void> } {
  let running = true;
  const done = (async () => {
    const t0 = Date.now();
    for (let i = 0; running; i++) {
      const due = t0 + (i * 1000) / FPS;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      agent.putVideoFrame(frames[i % frames.length]!, due);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
    },
  };
}

describe('a capped link (fault proxy + S3 front + s3rver)', () => {
  let frames: Uint8Array[];
  /** Segment keys as s3rver received them, with the arrival time. */
  const arrived: { key: string; atMs: number; startMs: number }[] = [];
  const stack = useAgentStack({
    beforeAll: (s) => {
      // 2 Mbit/s 640x360 (noise keeps x264 at its target rate), 1 s GOPs.
      frames = makeClip(s.dir, 10, FPS, { size: '640x360', source: 'testsrc2', noise: 'alls=30:allf=t+u', kbps: 2000 });
      s.s3.server.on('event', (e) => {
        for (const r of (e as { Records: { s3: { object: { key: string } } }[] }).Records) {
          const key = decodeURIComponent(r.s3.object.key);
          const p = parseObjectKey(key);
          if (p.kind === 'segment') arrived.push({ key, atMs: Date.now(), startMs: p.startMs });
        }
      });
    },
  });

  it('1 Mbit/s cap, 2 Mbit/s camera: the link carries the cap (within 5 %), live segments keep arriving, the backlog waits in the spool; lifted, everything drains, 0 lost', async () => {
    const agent = await stack.startAgent(
      stack.config({
        upload: { concurrency: 2, retryBaseSeconds: 0.05, retryMaxSeconds: 0.5, requestTimeoutSeconds: 30, maxBytesPerSecond: CAP_BYTES_PER_SECOND },
        heartbeatSeconds: 0,
      }),
      { log: silentLogger },
    );
    const cam = camera(agent, frames);
    const t0 = Date.now();
    const CAPPED_MS = 24_000;
    await sleep(CAPPED_MS);
    const capped = agent.status();
    const tCapEnd = Date.now();

    // What the proxy saw, in 5 s windows after a 4 s start (first key and segments).
    const windows: number[] = [];
    for (let from = t0 + 4000; from + 5000 <= tCapEnd; from += 5000) windows.push(stack.proxy.bytesUpBetween(from, from + 5000) / 5);
    const mean = stack.proxy.bytesUpBetween(t0 + 4000, t0 + 4000 + windows.length * 5000) / (windows.length * 5);
    console.log(
      `capped link: 5 s windows ${windows.map((w) => (w / 1000).toFixed(1)).join(', ')} kB/s; mean ${(mean / 1000).toFixed(1)} kB/s; cap ${CAP_BYTES_PER_SECOND / 1000} kB/s; recorded ${(capped.bytesRecorded / ((tCapEnd - t0) / 1000) / 1000).toFixed(1)} kB/s`,
    );
    expect(windows.length).toBeGreaterThanOrEqual(3);
    for (const w of windows) expect(w).toBeLessThanOrEqual(CAP_BYTES_PER_SECOND * 1.05);
    expect(mean).toBeGreaterThanOrEqual(CAP_BYTES_PER_SECOND * 0.95); // the link is used, not left idle
    expect(capped.bytesRecorded / ((tCapEnd - t0) / 1000)).toBeGreaterThan(CAP_BYTES_PER_SECOND * 1.6); // the camera really outran the cap

    // Live segments kept arriving: steadily, each soon after it was recorded (a 250 kB
    // segment takes 2 s at the cap), newest first; none of the backlog took their link.
    const during = arrived.filter((a) => a.atMs >= t0 + 4000 && a.atMs < tCapEnd);
    const lags = during.map((a) => a.atMs - a.startMs);
    const gaps = during.slice(1).map((a, i) => a.atMs - during[i]!.atMs);
    console.log(`live arrivals: ${during.length}; lag after start ${Math.min(...lags)}..${Math.max(...lags)} ms; gaps up to ${Math.max(...gaps)} ms`);
    expect(during.length).toBeGreaterThanOrEqual(8);
    expect(during.map((a) => a.startMs)).toEqual([...during.map((a) => a.startMs)].sort((a, b) => a - b));
    expect(Math.max(...gaps)).toBeLessThan(4000);
    expect(Math.max(...lags)).toBeLessThan(5500); // ~1 s recording + 2 s on the wire; two segments on the wire at once take 4 s each (~6 s)

    // The rest waits in the spool, and the status says how long until it would be full.
    expect(capped.upload).toMatchObject({ maxBytesPerSecond: CAP_BYTES_PER_SECOND });
    expect(capped.upload.backlogSegments).toBeGreaterThanOrEqual(8);
    expect(capped.spool.bytes).toBeGreaterThan(1_000_000);
    const growth = capped.bytesRecorded / ((tCapEnd - t0) / 1000) - CAP_BYTES_PER_SECOND;
    const expectedFullIn = (capped.spool.maxBytes - capped.spool.bytes) / growth;
    expect(capped.spool.fullInSeconds).not.toBeNull();
    expect(capped.spool.fullInSeconds!).toBeGreaterThan(expectedFullIn * 0.5);
    expect(capped.spool.fullInSeconds!).toBeLessThan(expectedFullIn * 2);
    expect(capped.segmentsDropped).toBe(0);

    // Lift the cap: the backlog drains while the camera keeps recording.
    agent.setUploadLimits({ maxBytesPerSecond: null });
    await sleep(3000);
    await cam.stop();
    agent.cutSegment();
    await until('everything uploaded', () => agent.status().backlog.objects === 0, 60_000);
    await agent.stop();
    const st = agent.status();
    expect(st.segmentsDropped).toBe(0);
    expect(st.segmentsUploaded).toBe(st.segmentsRecorded);
    const segs = await readSegments(stack, { fromMs: t0 - 1000 }); // the camera stamps its first frame just before t0
    expect(segs).toHaveLength(st.segmentsRecorded);
    const seqs = segs.map((s) => s.meta.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    for (const s of segs) expect(isWholeTs(s.plain)).toBe(true);
  }, 120_000);

  it('backlog windows: after an outage the backlog waits for its window while live segments go; in the window it drains, 0 lost', async () => {
    const small = makeClip(stack.dir, 4);
    const hhmm = (ms: number) => {
      const d = new Date(ms);
      return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    };
    const later = `${hhmm(Date.now() + 2 * 3_600_000)}-${hhmm(Date.now() + 3 * 3_600_000)}`; // closed now
    const agent = await stack.startAgent(
      stack.config({
        upload: { concurrency: 2, retryBaseSeconds: 0.05, retryMaxSeconds: 0.3, requestTimeoutSeconds: 5, backlogWindows: [later] },
        heartbeatSeconds: 0,
      }),
      { log: silentLogger },
    );
    const t0 = Date.now(); // this camera's frames are stamped from here on (the previous test's ended before)
    await stack.proxy.setFault({ kind: 'refuse' });
    const cam = camera(agent, small);
    await until('three segments recorded during the outage', () => agent.status().segmentsRecorded >= 3, 20_000);
    const outageEndSeq = agent.status().seq.next;
    await stack.proxy.setFault(undefined);
    await until(
      'live segments arriving again',
      () => arrived.some((a) => a.startMs > t0 && a.atMs > Date.now() - 1500 && agent.status().seq.next > outageEndSeq + 2),
      20_000,
    );
    await sleep(2000);
    const held = agent.status();
    expect(held.upload.backlogWindowOpen).toBe(false);
    expect(held.upload.backlogSegments).toBeGreaterThanOrEqual(2);
    const landed = (await readSegments(stack, { fromMs: t0 })).map((x) => x.meta.seq);
    expect(landed.length).toBeGreaterThanOrEqual(2);
    expect(landed.some((seq) => seq < outageEndSeq - 1)).toBe(false); // the outage's segments wait (the newest of them may have gone live)

    agent.setUploadLimits({ maxBytesPerSecond: null, backlogWindows: ['00:00-24:00'] });
    await cam.stop();
    agent.cutSegment();
    await until('the backlog drained', () => agent.status().backlog.objects === 0, 30_000);
    await agent.stop();
    const st = agent.status();
    expect(st.segmentsDropped).toBe(0);
    const segs = await readSegments(stack, { fromMs: t0 });
    expect(segs).toHaveLength(st.segmentsRecorded);
    const seqs = segs.map((x) => x.meta.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  }, 90_000);
});
