import { MediaArgumentError } from '../media-error.ts';
import type { AudioSample, VideoSample } from './fmp4-input.ts';
import { INPUT_TIMESCALE_HZ, NAL_LENGTH_BYTES, SampleFlags } from './iso-bmff-constants.ts';

/**
 * Sample tables of one fragment's track runs, worked out before a byte is written so the
 * segment's size is known exactly. Pure: timestamps in, durations / sizes / flags out.
 */

const MAX_U32 = 2 ** 32 - 1;
const MIN_I32 = -(2 ** 31);
const MAX_I32 = 2 ** 31 - 1;

export interface VideoRunPlan {
  count: number;
  /** tfdt: decode time of the first sample plus the decode shift (90 kHz, the video track's timescale). */
  baseDecodeTime: number;
  durations: number[];
  /** Bytes per sample: 4-byte length + NAL unit, for each NAL unit kept. */
  sizes: number[];
  flags: number[];
  /** pts - (dts + decode shift) per sample (signed). */
  compositionOffsets: number[];
  /** Some sample has a non-zero composition offset (B-frames): trun version 1 with offsets. */
  hasCompositionOffsets: boolean;
  dataBytes: number;
  /** Decode time after the last sample (its dts + duration, plus the decode shift). */
  endDecodeTime: number;
}

/**
 * Plans samples[from..to) as one video run. `nextDts` is the decode time after the run
 * (the next sample's dts); undefined: the last sample lasts as long as the one before it,
 * or `fallbackDuration` when it is alone. `decodeShift` moves the written decode times
 * later (composition offsets shrink by as much, going negative where needed), so a
 * fragment's earliest presentation time can equal its tfdt. Throws MediaArgumentError
 * on timestamps no fragment can carry, naming the sample.
 */
export function planVideoRun(
  samples: readonly VideoSample[],
  from: number,
  to: number,
  nextDts: number | undefined,
  fallbackDuration: number,
  dropNal: (nal: Uint8Array) => boolean,
  decodeShift = 0,
): VideoRunPlan {
  const count = to - from;
  const durations: number[] = new Array(count);
  const sizes: number[] = new Array(count);
  const flags: number[] = new Array(count);
  const compositionOffsets: number[] = new Array(count);
  let hasCompositionOffsets = false;
  let dataBytes = 0;
  for (let i = 0; i < count; i++) {
    const s = samples[from + i]!;
    if (!Number.isSafeInteger(s.dts) || !Number.isSafeInteger(s.pts) || s.dts < 0 || s.pts < 0) {
      throw new MediaArgumentError(`video sample ${from + i}: dts ${s.dts} / pts ${s.pts} must be non-negative whole 90 kHz ticks`);
    }
    let size = 0;
    for (const nal of s.nals) if (nal.byteLength > 0 && !dropNal(nal)) size += NAL_LENGTH_BYTES + nal.byteLength;
    if (size === 0)
      throw new MediaArgumentError(
        `video sample ${from + i} (dts ${s.dts}) has no NAL units besides parameter sets and delimiters: pass access units that hold a coded picture`,
      );
    if (size > MAX_U32) throw new MediaArgumentError(`video sample ${from + i} is ${size} bytes, over the 4 GB a sample size can say`);
    const next = i + 1 < count ? samples[from + i + 1]!.dts : nextDts;
    const duration = next !== undefined ? next - s.dts : i > 0 ? durations[i - 1]! : fallbackDuration;
    if (!(duration > 0 && duration <= MAX_U32)) {
      throw new MediaArgumentError(
        `video sample ${from + i}: the next decode time ${next} is not after its dts ${s.dts}: decode times must increase (put a clock stage in front that unwraps and orders them)`,
      );
    }
    const cto = s.pts - (s.dts + decodeShift);
    if (cto < MIN_I32 || cto > MAX_I32)
      throw new MediaArgumentError(`video sample ${from + i}: pts ${s.pts} is ${cto} ticks from its dts ${s.dts}, more than a 32-bit composition offset holds`);
    if (cto !== 0) hasCompositionOffsets = true;
    durations[i] = duration;
    sizes[i] = size;
    flags[i] = s.isSync ? SampleFlags.SYNC : SampleFlags.NON_SYNC;
    compositionOffsets[i] = cto;
    dataBytes += size;
  }
  const first = samples[from]!;
  const last = samples[to - 1]!;
  return {
    count,
    baseDecodeTime: first.dts + decodeShift,
    durations,
    sizes,
    flags,
    compositionOffsets,
    hasCompositionOffsets,
    dataBytes,
    endDecodeTime: last.dts + decodeShift + durations[count - 1]!,
  };
}

export interface AudioRunPlan {
  count: number;
  /** tfdt in the audio track's timescale (its sample rate). */
  baseDecodeTime: number;
  durations: number[];
  sizes: number[];
  /** Every duration is one frame: tfhd's default_sample_duration says it once. */
  uniformDuration: boolean;
  dataBytes: number;
  endDecodeTime: number;
}

/**
 * Plans samples[from..to) (non-empty) as one AAC run in the audio timescale (the sample
 * rate). Frames are laid end to end, `samplesPerFrame` apart, so decode times stay
 * continuous: the run starts at `continueFrom` (where the previous run ended) when the
 * first frame's pts is within half a frame of it, else at its pts. A later frame whose
 * pts is more than half a frame past its place (audio lost upstream) starts there, the
 * frame before it stretched over the gap; frames that come early (overlap) keep their
 * place in line.
 */
export function planAudioRun(
  samples: readonly AudioSample[],
  from: number,
  to: number,
  sampleRateHz: number,
  samplesPerFrame: number,
  continueFrom: number | undefined,
): AudioRunPlan {
  const count = to - from;
  const toTrack = (pts: number): number => Math.round((pts * sampleRateHz) / INPUT_TIMESCALE_HZ);
  const durations: number[] = new Array(count);
  const sizes: number[] = new Array(count);
  let uniformDuration = true;
  let dataBytes = 0;
  let time = 0;
  let base = 0;
  for (let i = 0; i < count; i++) {
    const s = samples[from + i]!;
    if (!Number.isSafeInteger(s.pts) || s.pts < 0)
      throw new MediaArgumentError(`audio sample ${from + i}: pts ${s.pts} must be a non-negative whole number of 90 kHz ticks`);
    if (s.data.byteLength === 0)
      throw new MediaArgumentError(`audio sample ${from + i} (pts ${s.pts}) is empty: pass raw AAC frames without their ADTS header`);
    const at = toTrack(s.pts);
    if (i === 0) {
      time = continueFrom !== undefined && Math.abs(at - continueFrom) <= samplesPerFrame / 2 ? continueFrom : at;
      base = time;
    } else if (at - time > samplesPerFrame / 2) {
      durations[i - 1] = durations[i - 1]! + (at - time);
      uniformDuration = false;
      time = at;
    }
    durations[i] = samplesPerFrame;
    sizes[i] = s.data.byteLength;
    dataBytes += s.data.byteLength;
    time += samplesPerFrame;
  }
  for (const d of durations)
    if (d > MAX_U32) throw new MediaArgumentError(`audio sample gap of ${d} samples is over what a sample duration holds: split the segment at the gap`);
  return { count, baseDecodeTime: base, durations, sizes, uniformDuration, dataBytes, endDecodeTime: time };
}
