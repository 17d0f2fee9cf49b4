import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveSegmenter } from '../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';
import { HevcAccessUnitAssembler } from '../../../media/h265/access-unit-assembler.ts';
import { AnnexBSplitter } from '../../../media/bitstream/annexb-splitter.ts';
import { UnsupportedStreamError } from '../../../media/media-error.ts';
import { makeCodedStream } from '../../fixtures/coded-streams.ts';
import { FFMPEG, makeStream } from '../../fixtures/h264-streams.ts';

/**
 * The segmenter on H.265: timed pictures (as the RTSP source gives them) and raw ones,
 * a recording that starts at a CRA (its RASL pictures dropped), a camera switched from
 * H.264 to H.265 between connections, and the TS container refusing H.265.
 */

const dir = mkdtempSync(join(tmpdir(), 'camrec-hevc-seg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = 1_700_000_000_000;

/** Access units of an Annex-B H.265 file, each as Annex B, with whether it is an IRAP and its NAL type. */
function hevcFrames(file: string): Array<{ data: Uint8Array; irap: boolean; type: number }> {
  const out: Array<{ data: Uint8Array; irap: boolean; type: number }> = [];
  const asm = new HevcAccessUnitAssembler((au) => {
    if (au.hasVcl) out.push({ data: Buffer.concat(au.nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), Buffer.from(n)])), irap: au.isIrap, type: au.vclType });
  });
  const s = new AnnexBSplitter((e) => asm.push(e));
  s.push(readFileSync(file));
  s.flush();
  asm.flush();
  return out;
}

/** Writes segments as an fMP4 VOD playlist and returns what ffmpeg says decoding it (empty: clean), and its frame count. */
function ffmpegJudges(name: string, segs: MediaSegment[]): { warnings: string; frames: number } {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD'];
  let map = '';
  segs.forEach((s, i) => {
    if (s.discontinuity && i) lines.push('#EXT-X-DISCONTINUITY');
    if (s.init && s.init.id !== map) {
      writeFileSync(join(dir, `${name}-init-${s.init.id}.mp4`), s.init.bytes);
      lines.push(`#EXT-X-MAP:URI="${name}-init-${s.init.id}.mp4"`);
      map = s.init.id;
    }
    writeFileSync(join(dir, `${name}-${i}.${s.container === 'fmp4' ? 'm4s' : 'ts'}`), s.bytes);
    lines.push(`#EXTINF:${(s.durationMs / 1000).toFixed(3)},`, `${name}-${i}.${s.container === 'fmp4' ? 'm4s' : 'ts'}`);
  });
  lines.push('#EXT-X-ENDLIST', '');
  const playlist = join(dir, `${name}.m3u8`);
  writeFileSync(playlist, lines.join('\n'));
  const r = spawnSync(FFMPEG, ['-v', 'warning', '-allowed_extensions', 'ALL', '-i', playlist, '-f', 'null', '-'], { encoding: 'utf8' });
  const frames = spawnSync(FFMPEG, ['-v', 'error', '-allowed_extensions', 'ALL', '-i', playlist, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l && !l.startsWith('#')).length;
  return { warnings: r.stderr, frames };
}

describe('LiveSegmenter on H.265', () => {
  it('timed pictures (the RTSP path): B-frames keep their PTS/DTS, fMP4 segments of the GOP, decoded silently by ffmpeg', () => {
    const stream = makeCodedStream(dir, 'timed', { codec: 'hevc', width: 320, height: 240, fps: '25', seconds: 4, gopFrames: 25, bFrames: 3 });
    const frames = hevcFrames(stream.video);
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 1, onSegment: (x) => segs.push(x) });
    frames.forEach((f, i) => s.putVideoFrame(f.data, T0 + stream.videoPackets[i]!.pts / 90, T0 + stream.videoPackets[i]!.dts / 90));
    s.end();
    expect(segs.map((x) => [x.container, x.videoCodec, x.videoFrames, Math.round(x.durationMs)])).toEqual(
      Array.from({ length: 4 }, () => ['fmp4', 'h265', 25, 1000]),
    );
    expect(stream.probe.level).toBe(60); // 320x240 needs level 2 (76800 luma samples > level 1's 36864)
    expect(segs[0]).toMatchObject({ codecs: 'hvc1.1.6.L60.90', width: 320, height: 240, discontinuity: true });
    expect(new Set(segs.map((x) => x.init!.id)).size).toBe(1);
    expect(ffmpegJudges('timed', segs)).toEqual({ warnings: '', frames: 100 });
  }, 120_000);

  it('a recording that starts at an open-GOP CRA drops its RASL pictures (their references were never seen)', () => {
    const stream = makeCodedStream(dir, 'cra', { codec: 'hevc', width: 320, height: 240, fps: '25', seconds: 3, gopFrames: 24, bFrames: 3, openGop: true });
    const frames = hevcFrames(stream.video);
    const cra = frames.findIndex((f, i) => i > 0 && f.irap);
    expect(frames[cra]!.type).toBe(21); // CRA_NUT
    const rasl = frames.slice(cra + 1).filter((f, k) => k < 10 && (f.type === 8 || f.type === 9)).length;
    expect(rasl).toBeGreaterThan(0);
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 1, onSegment: (x) => segs.push(x) });
    frames.slice(cra).forEach((f, k) => s.putVideoFrame(f.data, T0 + stream.videoPackets[cra + k]!.pts / 90, T0 + stream.videoPackets[cra + k]!.dts / 90));
    s.end();
    expect(s.stats().droppedFrames).toBe(rasl);
    expect(s.stats().inputErrors).toBe(0);
    const judged = ffmpegJudges('cra', segs);
    expect(judged.warnings).toBe('');
    expect(judged.frames).toBe(frames.length - cra - rasl);
  }, 120_000);

  it('a camera switched from H.264 to H.265 between connections: the codec is told again, a new container, a discontinuity', () => {
    const h264 = makeStream(dir, 'switch-264', { width: 320, height: 240, fps: '25', seconds: 2, gopFrames: 25, profile: 'baseline' });
    const h265 = makeCodedStream(dir, 'switch-265', { codec: 'hevc', width: 320, height: 240, fps: '25', seconds: 2, gopFrames: 25, bFrames: 0 });
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 1, videoTiming: { kind: 'frame-rate' }, onSegment: (x) => segs.push(x) });
    s.pushVideo(readFileSync(h264.video));
    s.closeSegment(); // the source reconnected
    s.pushVideo(readFileSync(h265.video));
    s.end();
    expect(segs.map((x) => [x.videoCodec, x.container, x.discontinuity])).toEqual([
      ['h264', 'ts', true],
      ['h264', 'ts', false],
      ['h265', 'fmp4', true],
      ['h265', 'fmp4', false],
    ]);
  }, 120_000);

  it('H.265 with container ts is refused once with the fix; nothing of it is kept, and a constructor with both fixed refuses at once', () => {
    const h265 = makeCodedStream(dir, 'refuse', { codec: 'hevc', width: 320, height: 240, fps: '25', seconds: 1, gopFrames: 25, bFrames: 0 });
    const segs: MediaSegment[] = [];
    const s = new LiveSegmenter({ container: 'ts', videoTiming: { kind: 'frame-rate' }, onSegment: (x) => segs.push(x) });
    const bytes = readFileSync(h265.video);
    expect(() => s.pushVideo(bytes.subarray(0, 2000))).toThrow(UnsupportedStreamError);
    expect(() => s.pushVideo(bytes.subarray(2000))).not.toThrow();
    s.end();
    expect(segs).toEqual([]);
    expect(s.stats().droppedFrames).toBe(25);
    expect(() => new LiveSegmenter({ container: 'ts', videoCodec: 'h265', onSegment: () => {} })).toThrow(/fMP4 segments only/);
  }, 120_000);
});
