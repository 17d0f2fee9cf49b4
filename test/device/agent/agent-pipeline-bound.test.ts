import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../device/agent/agent.ts';
import { createJsonLogger } from '../../../device/core/json-logger.ts';
import { isWholeTs, makeClip, readSegments, until } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

describe('the segment pipeline is bounded (s3rver + S3 front + IoT provider)', () => {
  let agent: Agent | undefined;
  const stack = useAgentStack();

  it('segments arriving faster than they can be committed: what waits stays under the bound, the rest is dropped, counted and logged, and what was kept lands', async () => {
    const clip = makeClip(stack.dir, 6);
    const lines: Record<string, any>[] = [];
    const log = createJsonLogger({ out: { write: (l: string) => lines.push(JSON.parse(l)) } });
    // 64 kbit/s expected: the pipeline may hold 20 s of that, 160 kB, a handful of these 1 s segments.
    agent = await stack.startAgent(stack.config({ expectedBitrateKbps: 64, buffer: { spoolDir: `${stack.dir}/bound-spool`, memoryBytes: 4 * 1024 * 1024 } }), {
      log,
    });
    const base = Date.UTC(2025, 1, 1, 12);
    // One minute of video in one synchronous burst: 60 segments finish before the first can be committed.
    for (let rep = 0; rep < 10; rep++) clip.forEach((f, i) => agent!.putVideoFrame(f, base + (rep * clip.length + i) * 40));
    agent.cutSegment();

    const burst = agent.status();
    expect(burst.pipeline.maxBytes).toBe(160_000);
    expect(burst.pipeline.bytesWaiting).toBeLessThanOrEqual(burst.pipeline.maxBytes);
    expect(burst.pipeline.segmentsWaiting).toBeGreaterThanOrEqual(1);
    expect(burst.pipeline.segmentsWaiting).toBeLessThan(20);
    // Every segment is either waiting to be committed or counted as dropped: none is lost silently.
    expect(burst.pipeline.segmentsWaiting + burst.segmentsDropped).toBe(60);
    const drops = lines.filter((l) => l.msg.startsWith('segment dropped: committing is behind'));
    expect(drops).toHaveLength(burst.segmentsDropped);
    expect(drops[0]).toMatchObject({ level: 'error', maxBytes: 160_000 });

    const kept = burst.pipeline.segmentsWaiting;
    await until('the kept segments recorded and uploaded', () => agent!.status().segmentsRecorded === kept && agent!.status().backlog.objects === 0, 30_000);
    expect(agent.status().pipeline).toMatchObject({ segmentsWaiting: 0, bytesWaiting: 0 });
    expect(agent.status().segmentsDropped).toBe(60 - kept);
    const segs = await readSegments(stack, { fromMs: base });
    expect(segs).toHaveLength(kept);
    for (const s of segs) expect(isWholeTs(s.plain)).toBe(true);

    // The pipeline takes segments again once it has room: the next one is recorded, after a discontinuity (the gap).
    const next = base + 60 * 1000 + 30_000;
    clip.slice(0, 50).forEach((f, i) => agent!.putVideoFrame(f, next + i * 40));
    agent.cutSegment();
    await until('the segments after the gap recorded', () => agent!.status().segmentsRecorded === kept + 2, 30_000);
    expect(agent.status().segmentsDropped).toBe(60 - kept);
    await until('uploaded', () => agent!.status().backlog.objects === 0, 30_000);
    const after = (await readSegments(stack, { fromMs: next })).map((s) => s.meta);
    expect(after).toHaveLength(2);
    expect(after[0]!.discSeq).toBeGreaterThan(segs.at(-1)!.meta.discSeq);
  });
});
