import { describe, expect, it } from 'vitest';
import { encryptSegmentInPlace, decryptSegment } from '../../../device/media/encrypt/encrypt-segment.ts';
import { FMP4_SEGMENT_SPARE_BYTES, Fmp4Muxer, fmp4SegmentBuffer } from '../../../media/fmp4/fmp4-muxer.ts';
import type { AudioSample, VideoSample } from '../../../media/fmp4/fmp4-input.ts';
import { aacAudioTrack, hevcVideoTrack } from '../../../media/fmp4/tracks.ts';
import { MediaArgumentError } from '../../../media/media-error.ts';
import { findBox, findBoxes, outline, readBoxes, readMfhd, readTfdt, readTfhd, readTrun, segmentDecodeSpans } from '../../fixtures/mp4-inspect.ts';

const hex = (s: string): string => s.replace(/[\s|]+/g, '');
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(hex(s), 'hex'));
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const VPS = bytes('40010c01ffff01600000030090000003000003003c959409');
const SPS = bytes('42010101600000030090000003000003003ca00d880f1c9e595952930bc05a020000030002000003003210');
const PPS = bytes('4401c073c189');
const AUD = bytes('460150');
const video = hevcVideoTrack({ vps: [VPS], sps: [SPS], pps: [PPS] });
const audio = aacAudioTrack({ audioObjectType: 2, sampleRateHz: 48000, channelConfiguration: 2 });
/** A 5-byte IDR slice segment and a 4-byte TRAIL_R one (payload bytes are arbitrary). */
const IDR = bytes('2601 af 11 22');
const TRAIL = bytes('0201 d0 33');
const SEI = bytes('4e01 05 01 80');

describe('media segment boxes, byte by byte', () => {
  it('styp, moof (mfhd, traf: tfhd, tfdt, trun v0), mdat with 4-byte NAL lengths; VPS/SPS/PPS/AUD left in the init segment', () => {
    const m = new Fmp4Muxer({ video });
    const seg = m.writeSegment({
      video: [
        { dts: 126_000, pts: 126_000, isSync: true, nals: [AUD, VPS, SPS, PPS, SEI, IDR] },
        { dts: 129_600, pts: 129_600, isSync: false, nals: [AUD, TRAIL] },
      ],
      videoEndDts: 133_200,
    });
    expect(hexOf(seg)).toBe(
      hex(`
      00000014 73747970 | 6d736468 | 00000000 | 6d736468
      00000070 6d6f6f66
        00000010 6d666864 00000000 | 00000001
        00000058 74726166
          00000010 74666864 00020000 | 00000001
          00000014 74666474 01000000 | 00000000 0001ec30
          0000002c 7472756e 00000701 | 00000002 | 00000078
            00000e10 00000012 02000000
            00000e10 00000008 01010000
      00000022 6d646174
        00000005 4e01050180  00000005 2601af1122
        00000004 0201d033`),
    );
    // styp: major msdh, minor 0, compatible msdh
    // moof 0x70 bytes | mfhd sequence_number 1 | traf | tfhd flags default-base-is-moof, track 1 |
    // tfdt v1 baseMediaDecodeTime 126000 | trun v0, flags data-offset + duration + size + flags, 2 samples,
    // data_offset 0x78 = moof 0x70 + mdat header 8 | per sample: duration 3600, size (4 + 5 + 4 + 5 = 18), flags
    // (sync: depends_on 2; other: depends_on 1 + non-sync) | mdat: SEI and IDR of sample 1 (AUD and
    // parameter sets dropped), TRAIL of sample 2 (AUD dropped)
  });

  it('B-frames: decode times shifted by the reorder delay, trun version 1 with signed composition offsets, negative ones included', () => {
    const m = new Fmp4Muxer({ video });
    const seg = m.writeSegment({
      video: [
        { dts: 1000, pts: 8200, isSync: true, nals: [IDR] },
        { dts: 4600, pts: 15400, isSync: false, nals: [TRAIL] },
        { dts: 8200, pts: 4600, isSync: false, nals: [TRAIL] }, // shown first
      ],
      videoEndDts: 11800,
    });
    const boxes = readBoxes(seg);
    // Earliest pts 4600 - first dts 1000: decode times move 3600 later, so tfdt = the earliest presentation time.
    expect(hexOf(findBox(boxes, 'moof/traf/tfdt')!.payload)).toBe(hex('01000000 | 00000000 000011f8'));
    expect(hexOf(findBox(boxes, 'moof/traf/trun')!.payload)).toBe(
      hex(`
      01 000f01 | 00000003 | 00000090 |
      00000e10 00000009 02000000 00000e10
      00000e10 00000008 01010000 00001c20
      00000e10 00000008 01010000 ffffe3e0`),
    );
    // version 1, flags + composition offsets (0x800) | 3 samples | data_offset |
    // duration 3600 | size | flags | offset 8200 - 4600 = 3600, 15400 - 8200 = 7200, 4600 - 11800 = -7200 (two's complement)
  });

  it('the decode shift stays for the life of the muxer (decode times continuous), or is given; an absurd one is refused', () => {
    const m = new Fmp4Muxer({ video });
    const seg = (dts: number, ctoTicks: number) =>
      m.writeSegment({ video: [{ dts, pts: dts + ctoTicks, isSync: true, nals: [IDR] }], videoEndDts: dts + 3600 });
    const tfdtOf = (b: Uint8Array) => readTfdt(findBox(readBoxes(b), 'moof/traf/tfdt')!);
    expect(tfdtOf(seg(0, 7200))).toBe(7200);
    expect(tfdtOf(seg(3600, 3600))).toBe(10_800); // same shift: continuous, the composition offset is now -3600
    expect(m.stats().videoDecodeTimeJumps).toBe(0);
    const given = new Fmp4Muxer({ video, decodeShiftTicks: 0 });
    expect(tfdtOf(given.writeSegment({ video: [{ dts: 0, pts: 7200, isSync: true, nals: [IDR] }] }))).toBe(0);
    expect(() => new Fmp4Muxer({ video, decodeShiftTicks: -1 })).toThrow(/decodeShiftTicks -1/);
    expect(() => new Fmp4Muxer({ video }).writeSegment({ video: [{ dts: 0, pts: 90_000 * 60, isSync: true, nals: [IDR] }] })).toThrow(
      /more than any encoder's reorder delay/,
    );
  });

  it('audio traf: tfhd default duration 1024 and sync flags, tfdt at the sample rate, trun with sizes only; mdat holds video then audio', () => {
    const m = new Fmp4Muxer({ video, audio });
    const a = (pts: number, n: number): AudioSample => ({ pts, data: new Uint8Array(n).fill(0xaa) });
    const seg = m.writeSegment({
      video: [{ dts: 90_000, pts: 90_000, isSync: true, nals: [IDR] }],
      audio: [a(90_000, 3), a(91_920, 2)], // 1 s = 48000 samples; +1024 samples = +1920 ticks
      videoEndDts: 93_600,
    });
    const boxes = readBoxes(seg);
    const trafs = findBoxes(boxes, 'moof/traf');
    expect(trafs).toHaveLength(2);
    expect(hexOf(Uint8Array.of(...trafs[1]!.payload))).toBe(
      hex(`
      00000018 74666864 00020028 | 00000002 | 00000400 | 02000000
      00000014 74666474 01000000 | 00000000 0000bb80
      0000001c 7472756e 00000201 | 00000002 | 000000c5 | 00000003 00000002`),
    );
    // tfhd flags default-base-is-moof + default duration (0x08) + default flags (0x20) | track 2 | 1024 | sync |
    // tfdt 48000 (1 s at 48 kHz) | trun v0 data-offset + sizes | 2 | data_offset: moof 180 + mdat header 8 + 9 video bytes | 3, 2
    const moof = boxes[1]!;
    const mdat = boxes[2]!;
    expect(readTrun(findBox(trafs[1]!.children, 'trun')!).dataOffset).toBe(moof.size + 8 + 9);
    expect(hexOf(mdat.payload)).toBe(hex('00000005 2601af1122 | aaaaaa | aaaa'));
  });
});

/** A stream of `n` pictures, 25 fps, a sync picture every `gop`, with distinct payloads. */
function pictures(n: number, gop: number, firstDts: number, bFrames = false): VideoSample[] {
  return Array.from({ length: n }, (_, i) => {
    const dts = firstDts + i * 3600;
    const sync = i % gop === 0;
    const payload = Uint8Array.of(sync ? 0x26 : 0x02, 0x01, ...new Uint8Array(10 + (i % 7)).fill(i & 0xff));
    return { dts, pts: bFrames ? dts + (sync ? 7200 : (i % 3) * 3600) : dts, isSync: sync, nals: sync ? [AUD, VPS, SPS, PPS, payload] : [AUD, payload] };
  });
}

describe('Fmp4Muxer', () => {
  it('each trun data_offset and size lands on its sample: the bytes read back are the NAL units with lengths', () => {
    const m = new Fmp4Muxer({ video, audio });
    const vs = pictures(12, 6, 50_000, true);
    const as: AudioSample[] = Array.from({ length: 20 }, (_, i) => ({ pts: 50_000 + i * 1920, data: Uint8Array.of(i, i, i, 1 + (i % 4)) }));
    const seg = m.writeSegment({ video: vs, audio: as, videoEndDts: 50_000 + 12 * 3600 });
    const boxes = readBoxes(seg);
    const moof = boxes[1]!;
    for (const traf of findBoxes(boxes, 'moof/traf')) {
      const h = readTfhd(findBox(traf.children, 'tfhd')!);
      const run = readTrun(findBox(traf.children, 'trun')!);
      let at = moof.offset + run.dataOffset!;
      run.samples.forEach((s, i) => {
        const got = seg.subarray(at, at + s.size!);
        if (h.trackId === 1) {
          const payload = vs[i]!.nals[vs[i]!.nals.length - 1]!;
          expect(hexOf(got)).toBe(hexOf(Uint8Array.of(0, 0, 0, payload.byteLength, ...payload)));
        } else {
          expect(hexOf(got)).toBe(hexOf(as[i]!.data));
        }
        at += s.size!;
      });
    }
  });

  it('decode times run on across segments when each gives videoEndDts; a jump is counted', () => {
    const m = new Fmp4Muxer({ video });
    const vs = pictures(30, 10, 10_000);
    const spans = [0, 10, 20].map((from) =>
      segmentDecodeSpans(m.writeSegment({ video: vs.slice(from, from + 10), ...(from + 10 < 30 ? { videoEndDts: vs[from + 10]!.dts } : {}) })).get(1)!,
    );
    expect(spans.map((s) => [s.start, s.end])).toEqual([
      [10_000, 46_000],
      [46_000, 82_000],
      [82_000, 118_000],
    ]);
    expect(m.stats()).toMatchObject({ segments: 3, videoSamples: 30, videoDecodeTimeJumps: 0 });
    m.writeSegment({ video: pictures(3, 3, 500_000) });
    expect(m.stats().videoDecodeTimeJumps).toBe(1);
  });

  it('without videoEndDts the last picture lasts as long as the one before; a lone picture as the SPS frame rate says', () => {
    const m = new Fmp4Muxer({ video });
    const two = readTrun(
      findBox(
        readBoxes(
          m.writeSegment({
            video: [
              { dts: 0, pts: 0, isSync: true, nals: [IDR] },
              { dts: 3000, pts: 3000, isSync: false, nals: [TRAIL] },
            ],
          }),
        ),
        'moof/traf/trun',
      )!,
    );
    expect(two.samples.map((s) => s.duration)).toEqual([3000, 3000]);
    const lone = readTrun(
      findBox(readBoxes(new Fmp4Muxer({ video }).writeSegment({ video: [{ dts: 0, pts: 0, isSync: true, nals: [IDR] }] })), 'moof/traf/trun')!,
    );
    expect(lone.samples[0]!.duration).toBe(3600); // VUI timing 1/25 s
  });

  it('audio decode times: laid end to end within and across segments, a lost frame stretches the one before, a far jump restarts', () => {
    const m = new Fmp4Muxer({ video, audio });
    const frame = (pts: number): AudioSample => ({ pts, data: Uint8Array.of(1, 2) });
    const tr = (seg: Uint8Array) => {
      const traf = findBoxes(readBoxes(seg), 'moof/traf')[1]!;
      const h = readTfhd(findBox(traf.children, 'tfhd')!);
      return {
        start: readTfdt(findBox(traf.children, 'tfdt')!),
        durations: readTrun(findBox(traf.children, 'trun')!).samples.map((s) => s.duration ?? h.defaultDuration),
      };
    };
    const v = (dts: number): VideoSample[] => [{ dts, pts: dts, isSync: true, nals: [IDR] }];
    // 1920 ticks = 1024 samples at 48 kHz. Source timestamps jitter by a few ticks: still end to end.
    const s1 = tr(m.writeSegment({ video: v(0), audio: [frame(0), frame(1925), frame(3838)], videoEndDts: 5760 }));
    expect(s1).toEqual({ start: 0, durations: [1024, 1024, 1024] });
    // Next segment starts 2 ticks off where the last ended (3072 samples = 5760 ticks): continues at 3072.
    const s2 = tr(m.writeSegment({ video: v(5760), audio: [frame(5762), frame(7680), frame(11520)], videoEndDts: 11_520 }));
    // The third frame is one frame late (a frame was lost): the second lasts 2048 samples.
    expect(s2).toEqual({ start: 3072, durations: [1024, 2048, 1024] });
    // A far jump (audio restarted): the run starts at its own time.
    expect(tr(m.writeSegment({ video: v(11_520), audio: [frame(90_000)] })).start).toBe(48_000);
  });

  it("fragments: 'gop' writes one moof + mdat per group of pictures, each starting at a sync picture, audio split at its presentation time", () => {
    const m = new Fmp4Muxer({ video, audio, fragments: 'gop' });
    const vs = pictures(15, 5, 0);
    const as: AudioSample[] = Array.from({ length: 28 }, (_, i) => ({ pts: i * 1920, data: Uint8Array.of(i) }));
    const seg = m.writeSegment({ video: vs, audio: as, videoEndDts: 15 * 3600 });
    const boxes = readBoxes(seg);
    expect(outline(boxes).replace(/moof\(mfhd traf\(tfhd tfdt trun\) traf\(tfhd tfdt trun\)\)/g, 'M')).toBe('styp M mdat M mdat M mdat');
    const moofs = findBoxes(boxes, 'moof');
    expect(moofs.map((b) => readMfhd(findBox(b.children, 'mfhd')!))).toEqual([1, 2, 3]);
    const first = (b: (typeof moofs)[0]) =>
      findBoxes(b.children, 'traf').map((t) => [readTfdt(findBox(t.children, 'tfdt')!), readTrun(findBox(t.children, 'trun')!).samples.length]);
    // video starts 0, 18000, 36000 (5 pictures each); audio frames before 18000 ticks (10 frames), then up to 36000 (9), then the rest (9)
    expect(moofs.map(first)).toEqual([
      [
        [0, 5],
        [0, 10],
      ],
      [
        [18_000, 5],
        [10_240, 9],
      ],
      [
        [36_000, 5],
        [19_456, 9],
      ],
    ]);
    for (const moof of moofs) expect(readTrun(findBox(moof.children, 'traf/trun')!).samples[0]!.flags).toBe(0x02000000);
    expect(segmentDecodeSpans(seg).get(1)).toEqual({ start: 0, end: 54_000, samples: 15 });
  });

  it('refuses input no segment can carry with MediaArgumentError naming the sample, and stays usable', () => {
    const m = new Fmp4Muxer({ video });
    const bad: Array<[Parameters<Fmp4Muxer['writeSegment']>[0], RegExp]> = [
      [{ video: [] }, /at least one video sample/],
      [
        {
          video: [
            { dts: 0, pts: 0, isSync: true, nals: [IDR] },
            { dts: 0, pts: 0, isSync: false, nals: [TRAIL] },
          ],
        },
        /video sample 0: the next decode time 0 is not after its dts 0/,
      ],
      [{ video: [{ dts: 0, pts: 0, isSync: true, nals: [AUD, VPS, SPS, PPS] }] }, /video sample 0 \(dts 0\) has no NAL units besides parameter sets/],
      [
        {
          video: [
            { dts: 0, pts: 0, isSync: true, nals: [IDR] },
            { dts: 3600, pts: 2 ** 32, isSync: false, nals: [TRAIL] },
          ],
        },
        /video sample 1: pts 4294967296 is .* more than a 32-bit composition offset/,
      ],
      [{ video: [{ dts: -1, pts: 0, isSync: true, nals: [IDR] }] }, /non-negative whole 90 kHz ticks/],
      [{ video: [{ dts: 0, pts: 0, isSync: true, nals: [IDR] }], audio: [{ pts: 0, data: Uint8Array.of(1) }] }, /made without an audio track/],
    ];
    for (const [input, message] of bad) {
      expect(() => m.writeSegment(input), message.source).toThrow(MediaArgumentError);
      expect(() => m.writeSegment(input)).toThrow(message);
    }
    const ok = readBoxes(m.writeSegment({ video: [{ dts: 0, pts: 0, isSync: true, nals: [IDR] }] }));
    expect(readMfhd(findBox(ok, 'moof/mfhd')!)).toBe(1);
  });

  it('recycle: a given-back buffer is reused for the next segment, foreign memory is ignored, and there is room to encrypt in place', () => {
    const m = new Fmp4Muxer({ video });
    const vs = pictures(20, 10, 0);
    const a = m.writeSegment({ video: vs.slice(0, 10), videoEndDts: vs[10]!.dts });
    const room = fmp4SegmentBuffer(a);
    expect(room.byteLength - a.byteLength).toBeGreaterThanOrEqual(FMP4_SEGMENT_SPARE_BYTES);
    const plain = a.slice();
    const key = new Uint8Array(16).fill(7);
    const iv = new Uint8Array(16).fill(9);
    const cipher = encryptSegmentInPlace(room, a.byteLength, key, iv);
    expect(hexOf(decryptSegment(cipher, key, iv))).toBe(hexOf(plain));
    m.recycle(a);
    m.recycle(new Uint8Array(1 << 20));
    const b = m.writeSegment({ video: vs.slice(10, 20) });
    expect(b.buffer).toBe(a.buffer);
  });
});
