import { describe, expect, it } from 'vitest';
import { getObject, isWholeTs, listKeys, makeClip, readSegments } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

describe('agent against s3rver + S3 front + mTLS IoT provider', () => {
  let clip: Uint8Array[];
  const stack = useAgentStack({
    beforeAll: (s) => {
      clip = makeClip(s.dir, 4);
    },
  });

  it('records, encrypts and uploads every segment with its metadata, the wrapped key first', async () => {
    const written: string[] = [];
    stack.s3.server.on('event', (e) => written.push(String((e as { Records: { s3: { object: { key: string } } }[] }).Records[0]!.s3.object.key)));
    const agent = await stack.startAgent(stack.config());
    const t0 = Date.now() - 10_000;
    clip.forEach((f, i) => agent.putVideoFrame(f, t0 + i * 40));
    await agent.stop();
    const st = agent.status();
    expect(st.segmentsRecorded).toBe(4);
    expect(st.segmentsUploaded).toBe(4);
    expect(st.segmentsDropped).toBe(0);
    expect(st.backlog.objects).toBe(0);
    const segs = await readSegments(stack);
    expect(segs).toHaveLength(4);
    const seqs = segs.map((s) => s.meta.seq);
    expect(seqs).toEqual([seqs[0]!, seqs[0]! + 1, seqs[0]! + 2, seqs[0]! + 3]);
    for (const s of segs) {
      expect(isWholeTs(s.plain)).toBe(true);
      expect(s.meta.codecs).toMatch(/^avc1\.42/);
      expect([s.meta.width, s.meta.height]).toEqual([320, 240]);
      expect(s.meta.durationMs).toBeGreaterThanOrEqual(900);
    }
    expect(segs[0]!.meta.startMs).toBe(t0);
    expect(new Set(segs.map((s) => s.meta.discSeq)).size).toBe(1);
    const { contentType } = await getObject(stack, segs[0]!.key);
    expect(contentType).toBe('video/mp2t');
    expect(await listKeys(stack, 'keys')).toHaveLength(1);
    expect(written[0]).toMatch(/^keys\//);
    expect(written.filter((k) => k.startsWith('segments/'))).toHaveLength(4);
    expect(st.credentialsExpireAt).not.toBeNull();
  });
});
