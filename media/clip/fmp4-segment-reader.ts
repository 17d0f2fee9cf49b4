import { childBox, childBoxes, fullBoxHeader, needBytes, readBoxes, readI32, readU32, readU64, type BoxRef } from '../fmp4/box-reader.ts';
import type { AudioSample, VideoSample } from '../fmp4/fmp4-input.ts';
import { INPUT_TIMESCALE_HZ, TfhdFlags, TrunFlags } from '../fmp4/iso-bmff-constants.ts';
import { MediaInputError, UnsupportedStreamError } from '../media-error.ts';
import type { Fmp4Init, TrackDefaults } from './fmp4-init-reader.ts';
import type { SegmentReader, SegmentSamples } from './segment-samples.ts';

/** tfhd flag (8.8.7): base_data_offset(64) is present. */
const TFHD_BASE_DATA_OFFSET = 0x000001;
/** tfhd flag: sample_description_index(32) is present. */
const TFHD_SAMPLE_DESCRIPTION_INDEX = 0x000002;
/** sample_flags (8.8.3.1): sample_is_non_sync_sample. */
const SAMPLE_IS_NON_SYNC = 0x00010000;

/** The fields of a tfhd (8.8.7): FullBox flags | track_ID(32) then the optional fields its flags name, in this order. */
interface TrackFragmentHeader {
  trackId: number;
  baseDataOffset?: number;
  sampleDescriptionIndex?: number;
  defaults: Partial<TrackDefaults>;
  baseIsMoof: boolean;
}

function readTfhd(b: Uint8Array, tfhd: BoxRef): TrackFragmentHeader {
  const { flags, body } = fullBoxHeader(b, tfhd);
  let at = body;
  const field = (bytes: 4 | 8): number => {
    needBytes(tfhd, at, bytes);
    const v = bytes === 8 ? readU64(b, at) : readU32(b, at);
    at += bytes;
    return v;
  };
  const out: TrackFragmentHeader = { trackId: field(4), defaults: {}, baseIsMoof: (flags & TfhdFlags.DEFAULT_BASE_IS_MOOF) !== 0 };
  if (flags & TFHD_BASE_DATA_OFFSET) out.baseDataOffset = field(8);
  if (flags & TFHD_SAMPLE_DESCRIPTION_INDEX) out.sampleDescriptionIndex = field(4);
  if (flags & TfhdFlags.DEFAULT_SAMPLE_DURATION) out.defaults.sampleDuration = field(4);
  if (flags & TfhdFlags.DEFAULT_SAMPLE_SIZE) out.defaults.sampleSize = field(4);
  if (flags & TfhdFlags.DEFAULT_SAMPLE_FLAGS) out.defaults.sampleFlags = field(4);
  return out;
}

/** tfdt (8.8.12): FullBox | baseMediaDecodeTime, 64 bits in version 1, 32 in version 0. */
function readTfdt(b: Uint8Array, tfdt: BoxRef): number {
  const { version, body } = fullBoxHeader(b, tfdt);
  needBytes(tfdt, body, version === 1 ? 8 : 4);
  return version === 1 ? readU64(b, body) : readU32(b, body);
}

/** One sample of a track run, in the track's timescale, with where its bytes are. */
interface RunSample {
  decodeTime: number;
  compositionOffset: number;
  flags: number;
  at: number;
  size: number;
}

/**
 * One trun (8.8.8): FullBox version flags | sample_count(32) [data_offset(32, signed)]
 * [first_sample_flags(32)], then per sample [duration(32)] [size(32)] [flags(32)]
 * [composition_time_offset(32): unsigned in version 0, signed in version 1]; a field
 * absent from the run comes from tfhd, then trex. Returns where the run's data ends and
 * the decode time after it.
 */
function readTrun(
  b: Uint8Array,
  trun: BoxRef,
  o: { base: number; continueAt: number; decodeTime: number; defaults: TrackDefaults },
  onSample: (s: RunSample) => void,
): { dataEnd: number; decodeTime: number } {
  const { version, flags, body } = fullBoxHeader(b, trun);
  let at = body;
  needBytes(trun, at, 4);
  const count = readU32(b, at);
  at += 4;
  let data = o.continueAt;
  if (flags & TrunFlags.DATA_OFFSET) {
    needBytes(trun, at, 4);
    data = o.base + readI32(b, at);
    at += 4;
  }
  let firstFlags: number | undefined;
  if (flags & TrunFlags.FIRST_SAMPLE_FLAGS) {
    needBytes(trun, at, 4);
    firstFlags = readU32(b, at);
    at += 4;
  }
  const perSample =
    (flags & TrunFlags.SAMPLE_DURATION ? 4 : 0) +
    (flags & TrunFlags.SAMPLE_SIZE ? 4 : 0) +
    (flags & TrunFlags.SAMPLE_FLAGS ? 4 : 0) +
    (flags & TrunFlags.SAMPLE_COMPOSITION_TIME_OFFSET ? 4 : 0);
  needBytes(trun, at, count * perSample);
  let t = o.decodeTime;
  for (let i = 0; i < count; i++) {
    const duration = flags & TrunFlags.SAMPLE_DURATION ? readU32(b, (at += 4) - 4) : o.defaults.sampleDuration;
    const size = flags & TrunFlags.SAMPLE_SIZE ? readU32(b, (at += 4) - 4) : o.defaults.sampleSize;
    let sampleFlags = flags & TrunFlags.SAMPLE_FLAGS ? readU32(b, (at += 4) - 4) : o.defaults.sampleFlags;
    if (i === 0 && firstFlags !== undefined) sampleFlags = firstFlags;
    const cto = flags & TrunFlags.SAMPLE_COMPOSITION_TIME_OFFSET ? (version === 0 ? readU32(b, at) : readI32(b, at)) : 0;
    if (flags & TrunFlags.SAMPLE_COMPOSITION_TIME_OFFSET) at += 4;
    if (data < 0 || data + size > b.byteLength)
      throw new MediaInputError(`a sample of ${size} bytes at ${data} runs past the segment's ${b.byteLength} bytes: the segment is truncated or corrupt`, {
        offset: data,
      });
    onSample({ decodeTime: t, compositionOffset: cto, flags: sampleFlags, at: data, size });
    data += size;
    t += duration;
  }
  return { dataEnd: data, decodeTime: t };
}

/** A sample's NAL units: each behind a big-endian length of `lengthBytes` (1, 2 or 4); undefined when a length runs past the sample. */
function nalUnits(sample: Uint8Array, lengthBytes: number): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  for (let at = 0; at < sample.byteLength;) {
    if (at + lengthBytes > sample.byteLength) return undefined;
    let n = 0;
    for (let i = 0; i < lengthBytes; i++) n = n * 256 + sample[at + i]!;
    at += lengthBytes;
    if (at + n > sample.byteLength) return undefined;
    if (n > 0) out.push(sample.subarray(at, at + n));
    at += n;
  }
  return out;
}

const to90kHz = (t: number, timescale: number): number => (timescale === INPUT_TIMESCALE_HZ ? t : Math.round((t * INPUT_TIMESCALE_HZ) / timescale));

/**
 * The fMP4 input adapter: one decrypted camrec fMP4 media segment (styp, then moof + mdat
 * per fragment) read against its init section -> SegmentSamples. For each traf of the
 * init's video or AAC track: tfhd (defaults, data base: base_data_offset, else the moof
 * with default-base-is-moof or for the first traf, else where the previous traf's data
 * ended), tfdt (else the decode time where the track's previous fragment ended), then each
 * trun's samples. Video samples are split at their NAL lengths (views, no copy); times go
 * to 90 kHz (decode time, and decode time + composition offset for pts); sync samples are
 * those without sample_is_non_sync_sample. A segment with no video, or no sync sample,
 * throws MediaInputError; a second sample description throws UnsupportedStreamError.
 */
export function fmp4SegmentReader(init: Fmp4Init): SegmentReader {
  const v = init.video;
  const a = init.audio;
  return (segment) => {
    const video: VideoSample[] = [];
    const audio: AudioSample[] = [];
    const problems: string[] = [];
    const nextDecodeTime = new Map<number, number>();
    for (const moof of readBoxes(segment, 0, segment.byteLength).filter((x) => x.type === 'moof')) {
      let dataEnd = moof.start;
      let first = true;
      for (const traf of childBoxes(segment, moof).filter((c) => c.type === 'traf')) {
        const tfhdBox = childBox(segment, traf, 'tfhd');
        if (!tfhdBox) throw new MediaInputError('a traf has no tfhd: the segment is corrupt', { offset: traf.start });
        const h = readTfhd(segment, tfhdBox);
        const track = h.trackId === v.trackId ? v : h.trackId === a?.trackId ? a : undefined;
        const base = h.baseDataOffset ?? (h.baseIsMoof || first ? moof.start : dataEnd);
        first = false;
        if (!track) continue;
        if (h.sampleDescriptionIndex !== undefined && h.sampleDescriptionIndex !== 1)
          throw new UnsupportedStreamError(
            `track ${h.trackId} switches to sample description ${h.sampleDescriptionIndex}: clips read the init section's first only`,
          );
        const tfdtBox = childBox(segment, traf, 'tfdt');
        const known = tfdtBox ? readTfdt(segment, tfdtBox) : nextDecodeTime.get(h.trackId);
        if (known === undefined)
          throw new MediaInputError(`the first fragment of track ${h.trackId} has no tfdt: its decode time is unknown`, { offset: traf.start });
        const defaults: TrackDefaults = { ...track.defaults, ...h.defaults };
        let run = { dataEnd: base, decodeTime: known };
        for (const trun of childBoxes(segment, traf).filter((c) => c.type === 'trun')) {
          run = readTrun(segment, trun, { base, continueAt: run.dataEnd, decodeTime: run.decodeTime, defaults }, (s) => {
            const bytes = segment.subarray(s.at, s.at + s.size);
            const pts = to90kHz(s.decodeTime + s.compositionOffset, track.timescale);
            if (track !== v) return void audio.push({ pts, data: bytes });
            const nals = nalUnits(bytes, v.nalLengthBytes);
            if (!nals?.length) return void problems.push(`a video sample of ${s.size} bytes at ${s.at} is not whole NAL units: skipped`);
            video.push({ dts: to90kHz(s.decodeTime, track.timescale), pts, isSync: (s.flags & SAMPLE_IS_NON_SYNC) === 0, nals });
          });
        }
        dataEnd = run.dataEnd;
        nextDecodeTime.set(h.trackId, run.decodeTime);
      }
    }
    return finish(init, video, audio, problems);
  };
}

/** Drops what cannot start or continue a clip (pictures before the first sync sample, decode times that do not increase) and shapes the answer. */
function finish(init: Fmp4Init, video: VideoSample[], audio: AudioSample[], problems: string[]): SegmentSamples {
  if (!video.length)
    throw new MediaInputError('the segment has no video samples: it is not a camrec fMP4 segment of this init section, or it is corrupt', { offset: 0 });
  const firstSync = video.findIndex((s) => s.isSync);
  if (firstSync < 0) throw new MediaInputError('the segment has no sync sample: it cannot be played on its own', { offset: 0 });
  if (firstSync > 0) {
    problems.push(`${firstSync} pictures before the segment's first sync sample: skipped`);
    video.splice(0, firstSync);
  }
  const kept: VideoSample[] = [];
  for (const s of video) {
    if (kept.length && s.dts <= kept[kept.length - 1]!.dts) problems.push(`video dts ${s.dts} does not increase: picture skipped`);
    else kept.push(s);
  }
  audio.sort((x, y) => x.pts - y.pts);
  return {
    video: kept,
    audio,
    videoTrack: () => init.video.track,
    videoConfigKey: init.video.configKey,
    ...(init.audio ? { audioConfig: init.audio.config } : {}),
    problems,
  };
}
