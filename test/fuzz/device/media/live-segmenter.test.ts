import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LiveSegmenter } from '../../../../device/media/live-segmenter.ts';
import type { MediaSegment } from '../../../../device/media/media-segment.ts';
import { MediaError } from '../../../../media/media-error.ts';
import { chunkAt, createFuzzSuite, fuzzTimeoutMs, thrownBy } from '../../support/fuzz-runner.ts';
import { adtsFrame } from '../../media/adts-builders.ts';
import { BitWriter, buildAnnexB, escapeRbsp, writeSps } from '../../media/h264-builders.ts';

const check = createFuzzSuite('device-media-live-segmenter');

const TS_PACKET_BYTES = 188;
const TS_SYNC_BYTE = 0x47;

/** A slice NAL: header (nal_ref_idc 3, type), first_mb_in_slice 0, slice_type, pps_id 0, then body bits. */
function slice(type: 1 | 5, sliceType: number, body: Uint8Array): Uint8Array {
  const w = new BitWriter().ue(0).ue(sliceType).ue(0);
  for (const b of body) w.u(8, b);
  return Uint8Array.of(0x60 | type, ...escapeRbsp(w.bytesWithTrailingBits()));
}

const SPS = writeSps({
  profileIdc: 77,
  constraintFlags: 0x40,
  levelIdc: 31,
  spsId: 0,
  widthMbs: 80,
  heightMapUnits: 45,
  frameMbsOnly: true,
  picOrderCntType: 2,
  log2MaxFrameNumMinus4: 0,
  timing: { numUnitsInTick: 1, timeScale: 50 },
});
const PPS = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);
const SLICE_P = 0;
const SLICE_I = 7; // I, all slices of the picture

/** A clean 1280x720, 25 fps, no-B stream: GOPs of an IDR (with SPS/PPS) and P frames. */
const cleanVideo = fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }).chain((gops) =>
  fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: gops.length * 13, maxLength: gops.length * 13 }).map((bodies) => {
    const nals: Uint8Array[] = [];
    let b = 0;
    for (const pFrames of gops) {
      nals.push(SPS, PPS, slice(5, SLICE_I, bodies[b++]!));
      for (let i = 0; i < pFrames; i++) nals.push(slice(1, SLICE_P, bodies[b++]!));
    }
    return { bytes: buildAnnexB(nals, [true, false], [0]), frames: gops.reduce((t, p) => t + 1 + p, 0) };
  }),
);

/** Byte-level damage: overwrite, insert or delete bytes at random places. */
type Damage = { at: number; kind: 'set' | 'insert' | 'delete'; byte: number };
const damage = fc.array(
  fc.record({ at: fc.nat(), kind: fc.constantFrom('set' as const, 'insert' as const, 'delete' as const), byte: fc.integer({ min: 0, max: 255 }) }),
  { maxLength: 8 },
);
function applyDamage(bytes: Uint8Array, ds: readonly Damage[]): Uint8Array {
  const a = [...bytes];
  for (const d of ds) {
    if (a.length === 0) break;
    const at = d.at % a.length;
    if (d.kind === 'set') a[at] = d.byte;
    else if (d.kind === 'insert') a.splice(at, 0, d.byte);
    else a.splice(at, 1);
  }
  return Uint8Array.from(a);
}

interface Result {
  segments: MediaSegment[];
  error: unknown;
  inputErrors: number;
}

function segment(video: readonly Uint8Array[], audio: readonly Uint8Array[] = []): Result {
  const segments: MediaSegment[] = [];
  const s = new LiveSegmenter({ targetSegmentSeconds: 1, audio: audio.length > 0, onSegment: (x) => segments.push(x) });
  const error = thrownBy(() => {
    video.forEach((chunk, i) => {
      s.pushVideo(chunk, 1_700_000_000_000 + i * 40);
      if (audio[i]) s.pushAudio(audio[i]!, 1_700_000_000_000 + i * 40);
    });
    s.end();
  });
  return { segments, error, inputErrors: s.stats().inputErrors };
}

function expectWellFormed(seg: MediaSegment): void {
  expect(seg.bytes.byteLength % TS_PACKET_BYTES).toBe(0);
  for (let i = 0; i < seg.bytes.byteLength; i += TS_PACKET_BYTES) expect(seg.bytes[i]).toBe(TS_SYNC_BYTE);
  expect(seg.durationMs).toBeGreaterThanOrEqual(0); // 0 for a lone frame timed by arrival; the agent clamps to 1 ms
  expect(seg.videoFrames).toBeGreaterThan(0);
}

describe('LiveSegmenter (the whole media core on outside bytes)', () => {
  test(
    'a clean stream in any chunking: no error, 1280x720 segments of whole TS packets',
    () => {
      check(
        'clean stream',
        fc.property(cleanVideo, fc.array(fc.nat(), { maxLength: 20 }), ({ bytes: video, frames }, cuts) => {
          const r = segment(
            chunkAt(
              video,
              cuts.map((c) => c % (video.byteLength + 1)),
            ),
          );
          expect(r.error).toBeUndefined();
          expect(r.inputErrors).toBe(0);
          expect(r.segments.reduce((t, x) => t + x.videoFrames, 0)).toBe(frames);
          for (const seg of r.segments) {
            expectWellFormed(seg);
            expect([seg.width, seg.height, seg.codecs]).toEqual([1280, 720, 'avc1.4d401f']);
          }
        }),
      );
    },
    fuzzTimeoutMs(25),
  );

  test(
    'a damaged no-B stream: nothing thrown (a damaged slice reading as B is corrupt input, not "configure without B-frames"); segments stay whole TS',
    () => {
      check(
        'damaged stream',
        fc.property(cleanVideo, damage, fc.array(fc.nat(), { maxLength: 20 }), ({ bytes: video }, ds, cuts) => {
          const damaged = applyDamage(video, ds);
          const r = segment(
            chunkAt(
              damaged,
              cuts.map((c) => c % (damaged.byteLength + 1)),
            ),
          );
          expect(r.error, String(r.error)).toBeUndefined();
          for (const seg of r.segments) expectWellFormed(seg);
        }),
      );
    },
    fuzzTimeoutMs(25),
  );

  test(
    'after any junk, the segmenter records the clean GOPs that follow',
    () => {
      const gop = buildAnnexB(
        [SPS, PPS, slice(5, SLICE_I, Uint8Array.of(0x55)), ...Array.from({ length: 24 }, () => slice(1, SLICE_P, Uint8Array.of(0x55)))],
        [true],
        [0],
      );
      const junk = fc.uint8Array({ maxLength: 3000 }).map((b) => b.map((x) => (x < 60 ? 0 : x < 80 ? 1 : x)));
      check(
        'recovers after junk',
        fc.property(junk, (bytes) => {
          const segments: MediaSegment[] = [];
          const s = new LiveSegmenter({ targetSegmentSeconds: 1, onSegment: (x) => segments.push(x) });
          let t = 1_700_000_000_000;
          const push = (b: Uint8Array) => thrownBy(() => s.pushVideo(b, (t += 1000)));
          // Junk carries no SPS/PPS a B slice could name: it is never taken for a B-frame stream.
          const first = push(bytes);
          expect(first, String(first)).toBeUndefined();
          for (let i = 0; i < 6; i++) expect(push(gop)).toBeUndefined();
          expect(thrownBy(() => s.end())).toBeUndefined();
          // The GOP right after the junk may be lost (the junk's last NAL runs into it); the rest are recorded.
          expect(segments.reduce((n, x) => n + x.videoFrames, 0)).toBeGreaterThanOrEqual(4 * 25);
        }),
      );
    },
    fuzzTimeoutMs(25),
  );

  test(
    'random video and audio bytes: nothing but a MediaError escapes',
    () => {
      check(
        'random bytes',
        fc.property(
          fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 8 }),
          fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 8 }),
          (video, audio) => {
            const r = segment(video, audio);
            expect(r.error === undefined || r.error instanceof MediaError, String(r.error)).toBe(true);
          },
        ),
      );
    },
    fuzzTimeoutMs(25),
  );

  test(
    'audio mixed in: ADTS frames with clean video give whole-TS segments that carry audio',
    () => {
      const frame = adtsFrame({ profile: 1, sampleRateIndex: 3, channels: 2 }, new Uint8Array(100).fill(0x21));
      check(
        'clean audio + video',
        fc.property(cleanVideo, ({ bytes: video }) => {
          const chunks = chunkAt(
            video,
            Array.from({ length: 20 }, (_, i) => Math.floor((video.byteLength * i) / 20)),
          );
          const r = segment(
            chunks,
            chunks.map(() => Uint8Array.of(...frame, ...frame)),
          );
          expect(r.error).toBeUndefined();
          for (const seg of r.segments) expectWellFormed(seg);
          expect(r.segments.some((x) => x.hasAudio && x.codecs.endsWith(',mp4a.40.2'))).toBe(true);
        }),
        Math.max(1, Math.floor(Number(process.env.FUZZ_RUNS ?? 200) / 4)),
      );
    },
    fuzzTimeoutMs(25),
  );
});

describe('LiveSegmenter memory stays bounded whatever the input', () => {
  const T0 = 1_700_000_000_000;
  const gop = (pFrames: number, body = Uint8Array.of(0x55)) =>
    buildAnnexB([SPS, PPS, slice(5, SLICE_I, body), ...Array.from({ length: pFrames }, () => slice(1, SLICE_P, body))], [true], [0]);
  /** One access unit per push, 25 fps arrival times. */
  /** Pushes `stream` one access unit a chunk; returns the bytes given to pushVideo. */
  function pushFrames(s: LiveSegmenter, stream: Uint8Array, t: { ms: number }, after?: () => void): number {
    const starts: number[] = [];
    for (let i = 0; i + 4 < stream.byteLength; i++)
      if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 0 && stream[i + 3] === 1 && [1, 5, 7].includes(stream[i + 4]! & 0x1f)) starts.push(i);
    starts.push(stream.byteLength);
    let pushed = 0;
    for (let k = 0; k + 1 < starts.length; k++) {
      const chunk = stream.subarray(starts[k]!, starts[k + 1]!);
      s.pushVideo(chunk, (t.ms += 40));
      pushed += chunk.byteLength;
      after?.();
    }
    return pushed;
  }

  test(
    'an encoder that stops sending IDRs: the open segment is cut at maxSegmentBytes / maxSegmentSeconds, counted, and the next IDR records again',
    () => {
      check(
        'no IDR',
        fc.property(fc.integer({ min: 400, max: 1200 }), fc.integer({ min: 200, max: 400 }), fc.boolean(), (pFrames, bodyBytes, byBytes) => {
          const segments: MediaSegment[] = [];
          const maxSegmentBytes = 50_000;
          const s = new LiveSegmenter({
            targetSegmentSeconds: 1,
            ...(byBytes ? { maxSegmentBytes } : { maxSegmentSeconds: 4 }),
            onSegment: (x) => segments.push(x),
          });
          const t = { ms: T0 };
          let most = 0;
          pushFrames(s, gop(pFrames, new Uint8Array(bodyBytes).fill(0x55)), t, () => (most = Math.max(most, s.openSegment()?.bytes ?? 0)));
          pushFrames(s, gop(50), t);
          s.end();
          if (byBytes) expect(most).toBeLessThanOrEqual(maxSegmentBytes);
          else for (const seg of segments) expect(seg.durationMs).toBeLessThanOrEqual(4040);
          expect(s.stats().inputErrors).toBeGreaterThanOrEqual(1);
          // The GOP after the IDR-less run is recorded whole, as a discontinuity.
          expect(segments.filter((x) => x.discontinuity).length).toBeGreaterThanOrEqual(2);
          expect(segments.slice(segments.findLastIndex((x) => x.discontinuity)).reduce((n, x) => n + x.videoFrames, 0)).toBe(51);
        }),
        20,
      );
    },
    fuzzTimeoutMs(25),
  );

  test('megabytes after a start code with no other start code: the segmenter holds at most maxFrameBytes, counts the drop, and records the clean GOPs after', () => {
    const maxFrameBytes = 256 * 1024;
    const segments: MediaSegment[] = [];
    const s = new LiveSegmenter({ targetSegmentSeconds: 1, maxFrameBytes, onSegment: (x) => segments.push(x) });
    const t = { ms: T0 };
    // Every byte given to pushVideo counts: videoHeldFrom() is an offset in that stream.
    let streamBytes = pushFrames(s, gop(24), t);
    const junk = new Uint8Array(64 * 1024).fill(0xab); // one chunk pushed again and again (a pipe gone bad)
    const sliceStart = Uint8Array.of(0, 0, 0, 1, 0x41);
    s.pushVideo(sliceStart, (t.ms += 40));
    streamBytes += sliceStart.byteLength;
    let pushed = 0;
    for (let i = 0; i < 256; i++) {
      // 16 MiB
      s.pushVideo(junk, (t.ms += 1));
      pushed += junk.byteLength;
      streamBytes += junk.byteLength;
      // Bytes pushed but still referenced by the segmenter (the caller may not reuse them yet).
      const held = streamBytes - s.videoHeldFrom();
      expect(held).toBeLessThanOrEqual(maxFrameBytes + 64); // + the start code and NAL header
    }
    for (let g = 0; g < 3; g++) pushFrames(s, gop(24), t);
    s.end();
    expect(s.stats().inputErrors).toBeGreaterThanOrEqual(1);
    expect(s.stats().droppedBytes).toBeGreaterThanOrEqual(pushed);
    expect(segments.reduce((n, x) => n + x.videoFrames, 0)).toBeGreaterThanOrEqual(25 + 3 * 25 - 25);
  });

  test('live audio while no video arrives: queued audio is capped (oldest dropped and counted)', () => {
    const frame = adtsFrame({ profile: 1, sampleRateIndex: 3, channels: 2 }, new Uint8Array(300).fill(0x21));
    const s = new LiveSegmenter({ audio: true, onSegment: () => {} });
    for (let i = 0; i < 2000; i++) s.pushAudio(frame, T0 + i * 21);
    const queued = (s as unknown as { audio: { queue: { length: number } } }).audio.queue.length;
    expect(queued).toBeLessThanOrEqual(512);
    expect(s.stats().droppedBytes).toBeGreaterThanOrEqual((2000 - 512 - 1) * frame.byteLength);
  });
});
