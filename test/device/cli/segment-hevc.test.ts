import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { segmentCli } from './segment-cli.ts';
import { decryptSegment } from '../../../device/media/encrypt/encrypt-segment.ts';
import { makeCodedStream, type CodedStreamSpec } from '../../fixtures/coded-streams.ts';
import { decodedVideo, ffmpegWarnings, fpsOf, playlistCodecs, probeVideoPackets, type ProbedPacket } from '../../fixtures/playlist-judges.ts';
import { gstDecode, requireGstreamer } from '../../support/gst/gstreamer.ts';

/**
 * `camrec segment` on H.265 (and H.264 in fMP4): Annex-B streams encoded by Debian's
 * ffmpeg (libx265, 8-bit Main), with and without audio, long and open GOPs, B-frames,
 * several sizes. The raw streams carry no timestamps: B-frames get theirs from the
 * picture order count. Judged by ffmpeg (decodes the AES-128 playlist without a word, every
 * picture, the whole duration), ffprobe (decode times run on across segments) and
 * GStreamer (hlsdemux decodes the unencrypted run of the same stream: GStreamer 1.22
 * cannot open AES-128 fMP4, see device/media/README.md).
 */

const dir = mkdtempSync(join(tmpdir(), 'camrec-seg-hevc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = segmentCli;

interface Playlist {
  text: string;
  maps: string[];
  segments: Array<{ uri: string; map: string; iv?: Buffer; seconds: number }>;
}

function readPlaylist(out: string): Playlist {
  const text = readFileSync(join(out, 'index.m3u8'), 'utf8');
  const segments: Playlist['segments'] = [];
  const maps: string[] = [];
  let map = '';
  let iv: Buffer | undefined;
  let seconds = 0;
  for (const line of text.split('\n')) {
    const m = /^#EXT-X-MAP:URI="([^"]+)"/.exec(line);
    if (m) maps.push((map = m[1]!));
    if (line.startsWith('#EXT-X-KEY:METHOD=AES-128')) iv = Buffer.from(/IV=0x([0-9a-f]{32})/.exec(line)![1]!, 'hex');
    if (line === '#EXT-X-KEY:METHOD=NONE') iv = undefined;
    if (line.startsWith('#EXTINF:')) seconds = parseFloat(line.slice(8));
    if (line && !line.startsWith('#')) segments.push({ uri: line, map, ...(iv ? { iv } : {}), seconds });
  }
  return { text, maps, segments };
}

/** Video packets of every segment (init + plain segment through ffprobe), 90 kHz: decode times and durations. */
function probeSegments(out: string, p: Playlist, key: Buffer | undefined): ProbedPacket[][] {
  return p.segments.map((s, k) => {
    const raw = readFileSync(join(out, s.uri));
    const plain = key && s.iv ? decryptSegment(raw, key, s.iv) : raw;
    const file = join(out, `probe-${k}.mp4`);
    writeFileSync(file, Buffer.concat([readFileSync(join(out, s.map)), plain]));
    const packets = probeVideoPackets(file);
    rmSync(file);
    return packets;
  });
}

interface Case {
  name: string;
  spec: CodedStreamSpec;
  segmentSeconds: number;
  container?: 'fmp4';
}

const CASES: Case[] = [
  {
    name: 'hevc-main-640x360-25fps-b3-longgop-aac48k',
    spec: { codec: 'hevc', width: 640, height: 360, fps: '25', seconds: 8, gopFrames: 100, bFrames: 3, audioHz: 48000 },
    segmentSeconds: 4,
  },
  {
    name: 'hevc-main-1280x720-30fps-b4-opengop-cra',
    spec: { codec: 'hevc', width: 1280, height: 720, fps: '30', seconds: 4, gopFrames: 60, bFrames: 4, openGop: true },
    segmentSeconds: 2,
  },
  {
    name: 'hevc-main-426x240-29.97fps-nob-aac44k',
    spec: { codec: 'hevc', width: 426, height: 240, fps: '30000/1001', seconds: 6, gopFrames: 30, bFrames: 0, audioHz: 44100 },
    segmentSeconds: 2,
  },
  {
    name: 'hevc-main-1920x1080-25fps-b2',
    spec: { codec: 'hevc', width: 1920, height: 1080, fps: '25', seconds: 2, gopFrames: 25, bFrames: 2 },
    segmentSeconds: 1,
  },
  {
    name: 'h264-baseline-640x360-25fps-aac48k-in-fmp4',
    spec: { codec: 'h264', width: 640, height: 360, fps: '25', seconds: 6, gopFrames: 50, bFrames: 0, audioHz: 48000 },
    segmentSeconds: 2,
    container: 'fmp4',
  },
];

describe('camrec segment: H.265 (and H.264) in fMP4, judged by ffmpeg, ffprobe and GStreamer', () => {
  requireGstreamer();
  for (const c of CASES) {
    it(
      c.name,
      async () => {
        const stream = makeCodedStream(dir, c.name, c.spec);
        const fps = fpsOf(c.spec.fps);
        const frames = Math.round(c.spec.seconds * fps);
        const out = join(dir, `${c.name}-out`);
        const keyHex = '00112233445566778899aabbccddeeff';
        const base = [
          '--video',
          stream.video,
          ...(stream.audio ? ['--audio', stream.audio] : []),
          '--segment-seconds',
          String(c.segmentSeconds),
          ...(c.container ? ['--container', c.container] : []),
        ];
        const r = await cli([...base, '--out', out, '--key', keyHex]);
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        expect(r.out).toMatch(new RegExp(`; ${c.spec.codec === 'hevc' ? 'H\\.265' : 'H\\.264'} in fMP4 \\(1 init section\\)\\n$`));

        // The playlist: version 6 (EXT-X-MAP), the clear init section named before the first key.
        const p = readPlaylist(out);
        expect(p.text).toMatch(/^#EXTM3U\n#EXT-X-VERSION:6\n/);
        expect(p.maps).toHaveLength(1);
        expect(p.text.indexOf('#EXT-X-MAP:')).toBeLessThan(p.text.indexOf('#EXT-X-KEY:'));
        expect(p.maps[0]).toMatch(/^init-[0-9a-f]{32}\.mp4$/);
        expect(readdirSync(out).filter((f) => f.endsWith('.m4s'))).toHaveLength(p.segments.length);

        // ffmpeg plays it without a word: every picture, the whole duration.
        expect(ffmpegWarnings(join(out, 'index.m3u8'))).toBe('');
        const decoded = decodedVideo(join(out, 'index.m3u8'));
        expect(decoded.frames).toBe(frames);
        expect(decoded.seconds + 1 / fps).toBeCloseTo(frames / fps, 2);
        expect(p.segments.reduce((n, s) => n + s.seconds, 0)).toBeCloseTo(frames / fps, 2);
        if (stream.audio) {
          expect([...new Set(playlistCodecs(join(out, 'index.m3u8')))].sort()).toEqual(['aac', c.spec.codec]);
        }

        // ffprobe, segment by segment: a key frame first, and decode times continue where the last segment ended.
        const probed = probeSegments(out, p, Buffer.from(keyHex, 'hex'));
        let next: number | undefined;
        probed.forEach((packets, k) => {
          expect(packets[0]!.key, `segment ${k} starts with a key frame`).toBe(true);
          if (next !== undefined) expect(packets[0]!.dts, `segment ${k} first decode time`).toBe(next);
          const last = packets[packets.length - 1]!;
          next = last.dts + last.duration;
        });
        expect(probed.flat()).toHaveLength(frames);

        // GStreamer decodes the same stream segmented without encryption, every picture.
        const clear = join(dir, `${c.name}-clear`);
        const rc = await cli([...base, '--out', clear, '--no-encrypt']);
        expect(rc.code).toBe(0);
        expect(readPlaylist(clear).maps).toEqual(p.maps); // the init section depends on the stream alone
        const g = gstDecode(join(clear, 'index.m3u8'));
        expect(g.errors).toEqual([]);
        expect(g.videoFrames).toBe(frames);
        expect(g.videoCaps).toContain(`width=(int)${c.spec.width}, height=(int)${c.spec.height}`);
        if (stream.audio) expect(g.audioBuffers).toBeGreaterThan(0);
      },
      300_000,
    );
  }

  it('H.265 in MPEG-TS is refused with the fix, and nothing is written', async () => {
    const stream = makeCodedStream(dir, 'refuse-ts', { codec: 'hevc', width: 320, height: 240, fps: '25', seconds: 2, gopFrames: 25, bFrames: 0 });
    const out = join(dir, 'refuse-ts-out');
    const r = await cli(['--video', stream.video, '--out', out, '--container', 'ts']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the video is H\.265 \(HEVC\), which camrec records in fMP4 segments only.*--container fmp4/);
    expect(existsSync(join(out, 'index.m3u8'))).toBe(false);
    expect(readdirSync(out).filter((f) => /\.(ts|m4s)$/.test(f))).toEqual([]);
    const bad = await cli(['--video', stream.video, '--out', out, '--container', 'mkv']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--container mkv: must be ts \(MPEG-TS\) or fmp4/);
  }, 120_000);
});
