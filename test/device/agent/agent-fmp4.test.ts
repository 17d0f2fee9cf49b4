import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../device/agent/agent.ts';
import { AnnexBSplitter } from '../../../media/bitstream/annexb-splitter.ts';
import { HevcAccessUnitAssembler } from '../../../media/h265/access-unit-assembler.ts';
import { makeCodedStream } from '../../fixtures/coded-streams.ts';
import { FFMPEG } from '../../fixtures/h264-streams.ts';
import { DEVICE_ID, getObject, listKeys, readSegments, until } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

/**
 * The agent on an H.265 camera (fMP4 by default): init sections go to init/ through the
 * device's S3 front before the segments that name them, one object per configuration (no new
 * EXT-X-MAP across days or key rotations), and the stored objects decode with ffmpeg.
 */
describe('agent: H.265 in fMP4', () => {
  let agent: Agent | undefined;
  const stack = useAgentStack();

  it('uploads one init section through the device S3 front, named by every segment; the stored .m4s segments and init decode silently with every picture', async () => {
    const stream = makeCodedStream(stack.dir, 'agent-hevc', { codec: 'hevc', width: 320, height: 240, fps: '25', seconds: 4, gopFrames: 25, bFrames: 0 });
    const frames = splitHevc(stream.video);
    expect(frames.length).toBe(100);
    let skewMs = 0;
    agent = await stack.startAgent(stack.config({ keyRotationSeconds: 10 }), { now: () => Date.now() + skewMs });
    const midnight = Date.UTC(2025, 2, 4);
    const base = midnight - 2000; // two segments before UTC midnight, two after
    frames.slice(0, 50).forEach((f, i) => agent!.putVideoFrame(f, base + i * 40));
    await until('the first segment recorded', () => agent!.status().segmentsRecorded >= 1);
    skewMs = 11_000; // the data key rotates
    frames.slice(50).forEach((f, i) => agent!.putVideoFrame(f, base + (50 + i) * 40));
    agent.cutSegment();
    await until('uploads done', () => agent!.status().backlog.objects === 0 && agent!.status().segmentsRecorded === 4, 30_000);

    const segs = await readSegments(stack);
    expect(segs.map((s) => [s.key.endsWith('.m4s'), s.meta.container, s.meta.codecs])).toEqual(
      Array.from({ length: 4 }, () => [true, 'fmp4', 'hvc1.1.6.L60.90']),
    );
    const inits = await listKeys(stack, 'init');
    const named = [...new Set(segs.map((s) => s.meta.initId))];
    expect(named).toHaveLength(1); // one configuration: one init section, across UTC midnight and the data key's rotation
    expect(new Set(segs.map((s) => s.meta.keyId)).size).toBe(2);
    expect(segs.map((s) => s.meta.discSeq - segs[0]!.meta.discSeq)).toEqual([0, 0, 0, 0]);
    expect(inits).toEqual(named.map((id) => `init/${DEVICE_ID}/${id}.mp4`).sort());
    const bodies = await Promise.all(inits.map((k) => getObject(stack, k)));
    expect(bodies.map((b) => b.contentType)).toEqual(['video/mp4']);
    expect(bodies[0]!.body.subarray(4, 8).toString()).toBe('ftyp');

    // The stored objects as a player gets them (decrypted): ffmpeg decodes every picture silently.
    const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD'];
    let map = '';
    for (const [i, s] of segs.entries()) {
      if (s.meta.initId !== map) {
        if (map) lines.push('#EXT-X-DISCONTINUITY');
        map = s.meta.initId!;
        writeFileSync(join(stack.dir, `i-${map}.mp4`), (await getObject(stack, `init/${DEVICE_ID}/${map}.mp4`)).body);
        lines.push(`#EXT-X-MAP:URI="i-${map}.mp4"`);
      }
      writeFileSync(join(stack.dir, `s-${i}.m4s`), s.plain);
      lines.push(`#EXTINF:${(s.meta.durationMs / 1000).toFixed(3)},`, `s-${i}.m4s`);
    }
    lines.push('#EXT-X-ENDLIST', '');
    writeFileSync(join(stack.dir, 'agent.m3u8'), lines.join('\n'));
    const r = spawnSync(FFMPEG, ['-v', 'warning', '-allowed_extensions', 'ALL', '-i', join(stack.dir, 'agent.m3u8'), '-f', 'framemd5', '-'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).length).toBe(100);
  }, 120_000);
});

/** H.265 access units (Annex-B) of a raw stream. */
function splitHevc(file: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const asm = new HevcAccessUnitAssembler((au) => {
    if (au.hasVcl) out.push(Buffer.concat(au.nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), Buffer.from(n)])));
  });
  const s = new AnnexBSplitter((e) => asm.push(e));
  s.push(readFileSync(file));
  s.flush();
  asm.flush();
  return out;
}
