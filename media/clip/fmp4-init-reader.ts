import type { AacConfig } from '../fmp4/audio-specific-config.ts';
import { boxAt, childBox, childBoxes, fullBoxHeader, needBytes, readBoxes, readFourCc, readU32, type BoxRef } from '../fmp4/box-reader.ts';
import { readAvcC, readEsdsAacConfig, readHvcC } from '../fmp4/decoder-config-reader.ts';
import { HandlerType } from '../fmp4/iso-bmff-constants.ts';
import { avcVideoTrack, hevcVideoTrack, type VideoTrack } from '../fmp4/tracks.ts';
import { MediaInputError, UnsupportedStreamError } from '../media-error.ts';

/** What a movie fragment's track defaults come from when its tfhd says nothing (trex, 14496-12 8.8.3). */
export interface TrackDefaults {
  sampleDuration: number;
  sampleSize: number;
  sampleFlags: number;
}

interface InitTrack {
  trackId: number;
  /** mdhd timescale: ticks per second of the track's decode times. */
  timescale: number;
  defaults: TrackDefaults;
}

export interface Fmp4VideoInit extends InitTrack {
  codec: 'hevc' | 'avc';
  /** The track the clip writes (hvc1 + hvcC or avc1 + avcC), from the init's parameter sets. */
  track: VideoTrack;
  /** Bytes of the length before each NAL unit in a sample (the config record's lengthSizeMinusOne + 1). */
  nalLengthBytes: number;
  /** `hevc:` / `avc:` + the config record in hex: two inits with the same value fit one clip track. */
  configKey: string;
}

export interface Fmp4AudioInit extends InitTrack {
  config: AacConfig;
}

/** An fMP4 init section (EXT-X-MAP), read: its video track and its AAC track, if any. */
export interface Fmp4Init {
  video: Fmp4VideoInit;
  audio?: Fmp4AudioInit;
  /** Tracks left out (an audio codec other than AAC, a second video track), for the clip's problem list. */
  ignored: string[];
}

/** Visual sample entries carry 78 bytes before their child boxes, audio ones 28 (14496-12 12.1.3, 12.2.3); stsd 8 (version, flags, entry_count). */
const VISUAL_ENTRY_FIELDS = 78;
const AUDIO_ENTRY_FIELDS = 28;
const STSD_FIELDS = 8;
const VIDEO_ENTRIES: Readonly<Record<string, 'hevc' | 'avc'>> = { hvc1: 'hevc', hev1: 'hevc', avc1: 'avc', avc3: 'avc' };

/** tkhd track_ID: after creation/modification times (32 bits each in version 0, 64 in version 1). */
function trackId(b: Uint8Array, tkhd: BoxRef): number {
  const h = fullBoxHeader(b, tkhd);
  const at = h.body + (h.version === 1 ? 16 : 8);
  needBytes(tkhd, at, 4);
  return readU32(b, at);
}

/** mdhd timescale: after creation/modification times, as tkhd. */
function timescale(b: Uint8Array, mdhd: BoxRef): number {
  const h = fullBoxHeader(b, mdhd);
  const at = h.body + (h.version === 1 ? 16 : 8);
  needBytes(mdhd, at, 4);
  const ts = readU32(b, at);
  if (ts === 0) throw new MediaInputError('a track of the init section has timescale 0: the init section is corrupt', { offset: at });
  return ts;
}

/** trex (8.8.3): FullBox | track_ID(32) default_sample_description_index(32) default_sample_duration(32) default_sample_size(32) default_sample_flags(32). */
function trexDefaults(b: Uint8Array, moov: BoxRef): Map<number, TrackDefaults> {
  const out = new Map<number, TrackDefaults>();
  const mvex = childBox(b, moov, 'mvex');
  for (const trex of mvex ? childBoxes(b, mvex).filter((c) => c.type === 'trex') : []) {
    const at = fullBoxHeader(b, trex).body;
    needBytes(trex, at, 20);
    out.set(readU32(b, at), { sampleDuration: readU32(b, at + 8), sampleSize: readU32(b, at + 12), sampleFlags: readU32(b, at + 16) });
  }
  return out;
}

/**
 * Reads an fMP4 init section (ftyp + moov, as camrec's devices upload it under
 * `init/{deviceId}/{initId}.mp4`): for each trak, tkhd's track id, mdhd's timescale,
 * hdlr's handler and stsd's first sample entry (hvc1/hev1 + hvcC, avc1/avc3 + avcC, mp4a
 * + esds), and mvex/trex's defaults. The video track is rebuilt from the parameter sets
 * (so the clip's hvcC/avcC is camrec's own, with 4-byte NAL lengths). Throws
 * MediaInputError when the bytes are not an init section, UnsupportedStreamError for a
 * codec clips cannot carry (encrypted entries, no video, another codec).
 */
export function readFmp4Init(bytes: Uint8Array): Fmp4Init {
  const moov = readBoxes(bytes, 0, bytes.byteLength).find((x) => x.type === 'moov');
  if (!moov) throw new MediaInputError('the init section has no moov box: it is not an fMP4 init section', { offset: 0 });
  const defaults = trexDefaults(bytes, moov);
  let video: Fmp4VideoInit | undefined;
  let audio: Fmp4AudioInit | undefined;
  const ignored: string[] = [];
  for (const trak of childBoxes(bytes, moov).filter((c) => c.type === 'trak')) {
    const tkhd = childBox(bytes, trak, 'tkhd');
    const mdhd = boxAt(bytes, trak, 'mdia/mdhd');
    const hdlr = boxAt(bytes, trak, 'mdia/hdlr');
    const stsd = boxAt(bytes, trak, 'mdia/minf/stbl/stsd');
    if (!tkhd || !mdhd || !hdlr || !stsd) throw new MediaInputError('a trak of the init section lacks tkhd, mdhd, hdlr or stsd', { offset: trak.start });
    // hdlr: FullBox | pre_defined(32) handler_type(32) ...
    const handlerAt = fullBoxHeader(bytes, hdlr).body + 4;
    needBytes(hdlr, handlerAt, 4);
    const handler = readFourCc(bytes, handlerAt);
    const entry = childBoxes(bytes, stsd, STSD_FIELDS)[0];
    if (!entry) throw new MediaInputError('a trak of the init section has no sample entry', { offset: stsd.start });
    const id = trackId(bytes, tkhd);
    const base: InitTrack = {
      trackId: id,
      timescale: timescale(bytes, mdhd),
      defaults: defaults.get(id) ?? { sampleDuration: 0, sampleSize: 0, sampleFlags: 0 },
    };
    if (handler === HandlerType.VIDEO && !video) video = readVideoEntry(bytes, entry, base);
    else if (handler === HandlerType.AUDIO && !audio && entry.type === 'mp4a') audio = readAudioEntry(bytes, entry, base);
    else ignored.push(`track ${id} ('${handler}', '${entry.type}') is not carried into the clip`);
  }
  if (!video) throw new UnsupportedStreamError('the init section has no video track: clips are made of video (with its audio)');
  return { video, ...(audio ? { audio } : {}), ignored };
}

function readVideoEntry(b: Uint8Array, entry: BoxRef, base: InitTrack): Fmp4VideoInit {
  const codec = VIDEO_ENTRIES[entry.type];
  if (!codec)
    throw new UnsupportedStreamError(
      `the init section's video is '${entry.type}'${entry.type === 'encv' ? ' (encrypted samples)' : ''}: clips carry H.265 (hvc1/hev1) and H.264 (avc1/avc3)`,
    );
  const configType = codec === 'hevc' ? 'hvcC' : 'avcC';
  const config = childBox(b, entry, configType, VISUAL_ENTRY_FIELDS);
  if (!config) throw new MediaInputError(`the '${entry.type}' sample entry has no ${configType} box`, { offset: entry.start });
  const record = b.subarray(config.payload, config.end);
  let track: VideoTrack;
  let nalLengthBytes: number;
  if (codec === 'hevc') {
    const r = readHvcC(record);
    track = hevcVideoTrack(r.sets);
    nalLengthBytes = r.nalLengthBytes;
  } else {
    const r = readAvcC(record);
    track = avcVideoTrack(r.sets);
    nalLengthBytes = r.nalLengthBytes;
  }
  if (nalLengthBytes === 3) throw new MediaInputError(`the ${configType} says NAL lengths of 3 bytes, which 14496-15 does not allow`, { offset: config.start });
  return { ...base, codec, track, nalLengthBytes, configKey: `${codec}:${Buffer.from(track.decoderConfig).toString('hex')}` };
}

function readAudioEntry(b: Uint8Array, entry: BoxRef, base: InitTrack): Fmp4AudioInit {
  const esds = childBox(b, entry, 'esds', AUDIO_ENTRY_FIELDS);
  if (!esds) throw new MediaInputError("the 'mp4a' sample entry has no esds box", { offset: entry.start });
  return { ...base, config: readEsdsAacConfig(b.subarray(fullBoxHeader(b, esds).body, esds.end)) };
}
