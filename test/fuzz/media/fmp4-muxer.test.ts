import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Fmp4Muxer } from '../../../media/fmp4/fmp4-muxer.ts';
import type { AudioSample, VideoSample } from '../../../media/fmp4/fmp4-input.ts';
import { aacAudioTrack, hevcVideoTrack } from '../../../media/fmp4/tracks.ts';
import { MediaArgumentError } from '../../../media/media-error.ts';
import { findBox, findBoxes, readBoxes, readTfhd, readTrun } from '../../fixtures/mp4-inspect.ts';
import { createFuzzSuite, fuzzTimeoutMs, thrownBy } from '../support/fuzz-runner.ts';
import { MAIN_SPS, nalHeader, writeHevcPps, writeHevcSps, writeVps } from './h265-builders.ts';

const check = createFuzzSuite('device-media-fmp4-muxer');

const sets = {
  vps: [writeVps()],
  sps: [writeHevcSps(MAIN_SPS)],
  pps: [
    writeHevcPps({
      ppsId: 0,
      spsId: 0,
      dependentSliceSegments: false,
      outputFlagPresent: false,
      numExtraSliceHeaderBits: 0,
      tiles: false,
      entropyCodingSync: false,
    }),
  ],
};
const video = hevcVideoTrack(sets);
const audio = aacAudioTrack({ audioObjectType: 2, sampleRateHz: 44100, channelConfiguration: 1 });

const nal = fc
  .tuple(fc.constantFrom(1, 19, 32, 33, 34, 35, 39), fc.uint8Array({ minLength: 0, maxLength: 40 }))
  .map(([type, body]) => Uint8Array.of(...nalHeader(type), ...body));
const videoSample = fc.record({
  step: fc.integer({ min: -10, max: 9000 }),
  cto: fc.integer({ min: -9000, max: 20000 }),
  isSync: fc.boolean(),
  nals: fc.array(nal, { minLength: 0, maxLength: 5 }),
});
const audioSample = fc.record({ step: fc.integer({ min: 0, max: 6000 }), size: fc.integer({ min: 0, max: 30 }) });

describe('Fmp4Muxer (samples from any upstream stage)', () => {
  test(
    'any samples: a MediaArgumentError, or a segment whose boxes parse, whose truns account for every mdat byte, and whose samples hold the NAL units',
    () => {
      check(
        'any samples',
        fc.property(
          fc.array(videoSample, { minLength: 0, maxLength: 20 }),
          fc.array(audioSample, { maxLength: 30 }),
          fc.constantFrom('segment' as const, 'gop' as const),
          fc.option(fc.integer({ min: 0, max: 9000 }), { nil: undefined }),
          (vs, as, fragments, endStep) => {
            let dts = 1000;
            const samples: VideoSample[] = vs.map((v) => {
              dts += v.step;
              return { dts, pts: Math.max(0, dts + v.cto), isSync: v.isSync, nals: v.nals };
            });
            let pts = 1000;
            const audioSamples: AudioSample[] = as.map((a) => {
              pts += a.step;
              return { pts, data: new Uint8Array(a.size).fill(7) };
            });
            const m = new Fmp4Muxer({ video, audio, fragments });
            const input = { video: samples, audio: audioSamples, ...(endStep !== undefined ? { videoEndDts: dts + endStep } : {}) };
            const err = thrownBy(() => m.writeSegment(input));
            if (err !== undefined) {
              expect(err, String(err)).toBeInstanceOf(MediaArgumentError);
              return;
            }
            const seg = m.writeSegment(input);
            const boxes = readBoxes(seg);
            const moofs = findBoxes(boxes, 'moof');
            const mdats = boxes.filter((b) => b.type === 'mdat');
            expect(moofs).toHaveLength(mdats.length);
            let videoIndex = 0;
            moofs.forEach((moof, k) => {
              let bytes = 0;
              for (const traf of findBoxes(moof.children, 'traf')) {
                const h = readTfhd(findBox(traf.children, 'tfhd')!);
                const run = readTrun(findBox(traf.children, 'trun')!);
                let at = moof.offset + run.dataOffset!;
                for (const s of run.samples) {
                  expect(s.duration ?? h.defaultDuration).toBeGreaterThan(0);
                  if (h.trackId === 1) {
                    const kept = samples[videoIndex++]!.nals.filter((n) => {
                      const t = (n[0]! >> 1) & 0x3f;
                      return !(t >= 32 && t <= 35);
                    });
                    const expected = Buffer.concat(kept.map((n) => Buffer.concat([Buffer.from([0, 0, 0, n.byteLength]), n])));
                    expect(Buffer.from(seg.subarray(at, at + s.size!)).equals(expected)).toBe(true);
                  }
                  at += s.size!;
                  bytes += s.size!;
                }
              }
              expect(mdats[k]!.size).toBe(8 + bytes);
            });
            expect(videoIndex).toBe(samples.length);
          },
        ),
      );
    },
    fuzzTimeoutMs(),
  );
});
