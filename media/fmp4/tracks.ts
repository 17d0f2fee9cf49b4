import { avcCodecString, aacCodecString } from '../h264/codecs-string.ts';
import { NalType } from '../h264/nal-unit-type.ts';
import { parseSps } from '../h264/sps-parser.ts';
import { hevcCodecString } from '../h265/codecs-string.ts';
import { HevcNalType } from '../h265/nal-unit-type.ts';
import type { HevcParameterSetArrays } from '../h265/parameter-sets.ts';
import { parseHevcSps } from '../h265/sps-parser.ts';
import { audioSpecificConfig, CHANNELS_BY_CONFIGURATION, type AacConfig } from './audio-specific-config.ts';
import { avcDecoderConfigRecord, type AvcParameterSetArrays } from './avc-decoder-config.ts';
import { hevcDecoderConfigRecord } from './hevc-decoder-config.ts';
import { INPUT_TIMESCALE_HZ, SampleEntryType } from './iso-bmff-constants.ts';

/** A video track of an fMP4 stream: what its init segment says and how its samples are written. */
export interface VideoTrack {
  readonly kind: 'video';
  readonly codec: 'hevc' | 'avc';
  /** 'hvc1' / 'avc1': parameter sets live in the sample entry; samples carry none. */
  readonly sampleEntry: string;
  /** 'hvcC' / 'avcC'. */
  readonly configBox: string;
  /** The decoder configuration record (the config box's payload). */
  readonly decoderConfig: Uint8Array;
  /** Displayed picture size (after cropping / the conformance window). */
  readonly width: number;
  readonly height: number;
  /** Sample aspect ratio when the SPS sends one other than 1:1 (written as pasp). */
  readonly sar?: { width: number; height: number };
  /** RFC 6381 codecs parameter, e.g. hvc1.1.6.L93.B0 or avc1.64001f. */
  readonly codecString: string;
  /** One frame in 90 kHz ticks from the SPS's VUI timing, when sent (default duration of a lone last sample). */
  readonly frameTicks?: number;
  /** NAL unit types left out of samples (parameter sets and access unit delimiters). */
  readonly dropNalType: (nal: Uint8Array) => boolean;
}

/** An AAC track of an fMP4 stream. */
export interface AudioTrack {
  readonly kind: 'audio';
  readonly codec: 'aac';
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly audioSpecificConfig: Uint8Array;
  /** mp4a.40.N */
  readonly codecString: string;
  /** PCM samples per AAC frame (1024). */
  readonly samplesPerFrame: number;
}

/** H.265 VPS, SPS, PPS (hvc1): the samples carry no parameter sets and no AUDs. */
const dropHevcNal = (nal: Uint8Array): boolean => {
  const t = (nal[0]! >> 1) & 0x3f;
  return t >= HevcNalType.VPS && t <= HevcNalType.AUD;
};

/** H.264 SPS, PPS, AUD, SPS extension (avc1): the samples carry no parameter sets and no AUDs. */
const dropAvcNal = (nal: Uint8Array): boolean => {
  const t = nal[0]! & 0x1f;
  return t === NalType.SPS || t === NalType.PPS || t === NalType.AUD || t === NalType.SPS_EXT;
};

/** 90 kHz ticks of one frame from VUI timing (ticks per frame: H.265 one, H.264 two), if it is a sane rate. */
function frameTicksOf(timeScale: number, unitsPerFrame: number): number | undefined {
  const ticks = Math.round((INPUT_TIMESCALE_HZ * unitsPerFrame) / timeScale);
  return ticks >= 1 && ticks <= INPUT_TIMESCALE_HZ * 10 ? ticks : undefined;
}

/**
 * An 'hvc1' track from the stream's VPS/SPS/PPS (e.g. `HevcParameterSets.arrays()`): size,
 * codec string and hvcC from the first SPS. Throws MediaInputError when a set is missing
 * or corrupt.
 */
export function hevcVideoTrack(sets: HevcParameterSetArrays): VideoTrack {
  const decoderConfig = hevcDecoderConfigRecord(sets);
  const sps = parseHevcSps(sets.sps[0]!);
  const timing = sps.vui?.timing;
  return {
    kind: 'video',
    codec: 'hevc',
    sampleEntry: SampleEntryType.HEVC,
    configBox: 'hvcC',
    decoderConfig,
    width: sps.width,
    height: sps.height,
    ...(sps.vui?.sar ? { sar: sps.vui.sar } : {}),
    codecString: hevcCodecString(sps.profileTierLevel, 'hvc1'),
    ...(timing ? { frameTicks: frameTicksOf(timing.timeScale, timing.numUnitsInTick) } : {}),
    dropNalType: dropHevcNal,
  };
}

/** An 'avc1' track from the stream's SPS/PPS. Throws MediaInputError when a set is missing or corrupt. */
export function avcVideoTrack(sets: AvcParameterSetArrays): VideoTrack {
  const decoderConfig = avcDecoderConfigRecord(sets);
  const sps = parseSps(sets.sps[0]!);
  return {
    kind: 'video',
    codec: 'avc',
    sampleEntry: SampleEntryType.AVC,
    configBox: 'avcC',
    decoderConfig,
    width: sps.width,
    height: sps.height,
    codecString: avcCodecString(sps),
    ...(sps.timing ? { frameTicks: frameTicksOf(sps.timing.timeScale, 2 * sps.timing.numUnitsInTick) } : {}),
    dropNalType: dropAvcNal,
  };
}

/** An 'mp4a' AAC track (an ADTS header has every field: `{ audioObjectType, sampleRateHz, channelConfiguration: header.channels }`). */
export function aacAudioTrack(c: AacConfig): AudioTrack {
  const asc = audioSpecificConfig(c);
  return {
    kind: 'audio',
    codec: 'aac',
    sampleRateHz: c.sampleRateHz,
    channels: CHANNELS_BY_CONFIGURATION[c.channelConfiguration]!,
    audioSpecificConfig: asc,
    codecString: aacCodecString(c.audioObjectType),
    samplesPerFrame: 1024,
  };
}
