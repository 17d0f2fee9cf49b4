import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../device/agent/agent.ts';
import { createIotCredentialsFetcher } from '../../../device/credentials/iot-credentials-client.ts';
import { isWholeTs, makeClip, readSegments, sleep, until } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

/** Each test writes segments in its own UTC day so tests never see each other's objects. */
const day = (n: number) => Date.UTC(2025, 0, n, 12);
const DAY_MS = 86_400_000;

describe('agent under faults (s3rver + S3 front + IoT provider + fault proxy)', () => {
  let clip: Uint8Array[];
  let agent: Agent | undefined;
  const stack = useAgentStack({
    beforeAll: (s) => {
      clip = makeClip(s.dir, 6);
    },
    afterEach: async (s) => {
      await s.proxy.setFault(undefined);
      s.iot.setFault(undefined);
      s.iot.setCredentialDuration(3600);
    },
  });

  const feed = (a: Agent, base: number, frames = clip, offsetFrames = 0) => frames.forEach((f, i) => a.putVideoFrame(f, base + (offsetFrames + i) * 40));

  const drained = (n: number, timeoutMs = 20_000) =>
    until(`${n} segments recorded and the backlog empty`, () => agent!.status().segmentsRecorded === n && agent!.status().backlog.objects === 0, timeoutMs);

  async function expectAllLanded(base: number, count: number) {
    const segs = await readSegments(stack, { fromMs: base, toMs: base + DAY_MS });
    expect(segs).toHaveLength(count);
    const seqs = segs.map((s) => s.meta.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i)); // contiguous, each once
    expect(new Set(segs.map((s) => s.meta.startMs)).size).toBe(count); // one key per segment
    for (const s of segs) expect(isWholeTs(s.plain)).toBe(true);
    return segs;
  }

  it('network down: segments spool to disk, and all land once it is back', async () => {
    await stack.proxy.setFault({ kind: 'refuse' });
    stack.proxy.cutAll();
    agent = await stack.startAgent(stack.config());
    feed(agent, day(1));
    agent.cutSegment();
    await until('segments spooled', () => agent!.status().segmentsRecorded === 6 && agent!.status().spool.entries >= 6);
    const st = agent.status();
    expect(st.segmentsUploaded).toBe(0);
    expect(st.uploadFailures).toBeGreaterThan(0);
    expect(st.lastError?.message).toMatch(/PUT|network|ECONN/i);
    await stack.proxy.setFault(undefined);
    await drained(6);
    expect(agent.status().segmentsUploaded).toBe(6);
    expect(agent.status().spool.entries).toBe(0);
    await expectAllLanded(day(1), 6);
  });

  it('S3 answering 503 and 500, then slowly: retried until every segment lands', async () => {
    await stack.proxy.setFault({ kind: 'http-status', status: 503, connections: 4 });
    agent = await stack.startAgent(stack.config());
    feed(agent, day(2), clip.slice(0, 75));
    await stack.proxy.setFault({ kind: 'http-status', status: 500, connections: 2 });
    feed(agent, day(2), clip.slice(75), 75);
    agent.cutSegment();
    await until('some failures seen', () => agent!.status().uploadFailures > 0);
    await stack.proxy.setFault({ kind: 'delay', ms: 300 });
    await drained(6);
    expect(agent.status().segmentsDropped).toBe(0);
    await expectAllLanded(day(2), 6);
  });

  it('credentials endpoint down at start: nothing lost, uploads begin when it answers', async () => {
    stack.iot.setFault({ kind: 'status', status: 503 });
    agent = await stack.startAgent(stack.config());
    feed(agent, day(3));
    agent.cutSegment();
    await until('failures', () => agent!.status().uploadFailures >= 2);
    expect(agent.status().segmentsUploaded).toBe(0);
    expect(agent.status().lastError?.message).toMatch(/credential/i);
    stack.iot.setFault(undefined);
    await drained(6);
    await expectAllLanded(day(3), 6);
  });

  it('credentials expiring mid-upload (S3 says ExpiredToken): new ones are fetched and the PUT retried', async () => {
    stack.iot.setCredentialDuration(1);
    const cfg = stack.config();
    const real = createIotCredentialsFetcher({
      endpoint: cfg.credentials.endpoint,
      roleAlias: cfg.credentials.roleAlias,
      thingName: cfg.deviceId,
      certificatePem: await import('node:fs').then((fs) => fs.readFileSync(cfg.credentials.certificateFile)),
      privateKeyPem: await import('node:fs').then((fs) => fs.readFileSync(cfg.credentials.privateKeyFile)),
      caPem: await import('node:fs').then((fs) => fs.readFileSync(cfg.credentials.caFile)),
      timeoutMs: 2000,
    });
    let fetched = 0;
    // The provider claims an hour; the S3 front knows they expire after 1 s.
    const lying = async () => {
      fetched++;
      return { ...(await real()), expirationMs: Date.now() + 3600_000, serverDateMs: Date.now() };
    };
    agent = await stack.startAgent(cfg, { fetchCredentials: lying });
    feed(agent, day(4), clip.slice(0, 75));
    await until('first uploads', () => agent!.status().segmentsUploaded >= 2);
    await sleep(2100);
    feed(agent, day(4), clip.slice(75), 75);
    agent.cutSegment();
    await until('all recorded and drained', () => agent!.status().segmentsRecorded === 6 && agent!.status().backlog.objects === 0, 20_000);
    expect(fetched).toBeGreaterThanOrEqual(2);
    expect(agent.status().uploadFailures).toBeGreaterThan(0);
    await expectAllLanded(day(4), 6);
  });

  it('device clock 20 minutes fast: S3 says RequestTimeTooSkewed once, the SDK corrects, nothing lost', async () => {
    agent = await stack.startAgent(stack.config(), { clockSkewMs: 20 * 60_000 });
    feed(agent, day(5));
    agent.cutSegment();
    await until('all recorded and drained', () => agent!.status().segmentsRecorded === 6 && agent!.status().backlog.objects === 0, 20_000);
    expect(agent.status().uploadFailures).toBeGreaterThan(0);
    await expectAllLanded(day(5), 6);
  });

  it('S3 that accepts the connection and never answers: the attempt times out and is retried', async () => {
    await stack.proxy.setFault({ kind: 'stall', connections: 2 });
    agent = await stack.startAgent(stack.config({ upload: { concurrency: 2, retryBaseSeconds: 0.05, retryMaxSeconds: 0.5, requestTimeoutSeconds: 1 } }));
    feed(agent, day(7));
    agent.cutSegment();
    await drained(6);
    expect(agent.status().uploadFailures).toBeGreaterThan(0);
    await expectAllLanded(day(7), 6);
  });

  it('at the spool cap the oldest segments are dropped, counted, and the rest land', async () => {
    await stack.proxy.setFault({ kind: 'refuse' });
    stack.proxy.cutAll();
    const segBytes = 40_000; // upper bound for one 1 s 320x240 segment here
    agent = await stack.startAgent(stack.config({ buffer: { spoolDir: `${stack.dir}/cap-spool`, spoolMaxBytes: 1024 * 1024, memoryBytes: 64 * 1024 } }));
    const big = clip.concat(
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
      clip,
    );
    feed(agent, day(6), big);
    agent.cutSegment();
    await until('all recorded', () => agent!.status().segmentsRecorded === big.length / 25);
    await until('the spool to drop the oldest at its cap', () => agent!.status().segmentsDropped > 0);
    const st = agent.status();
    expect(st.spool.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(st.segmentsDropped).toBeGreaterThan(0);
    await stack.proxy.setFault(undefined);
    await until('backlog drained', () => agent!.status().backlog.objects === 0, 20_000);
    const segs = await readSegments(stack, { fromMs: day(6), toMs: day(6) + DAY_MS });
    expect(segs.length + agent.status().segmentsDropped).toBe(big.length / 25);
    // The newest survived; the dropped ones were the oldest.
    expect(segs.at(-1)!.meta.seq).toBe(agent.status().seq.next - 1);
    expect(segBytes).toBeGreaterThan(0);
  });
});
