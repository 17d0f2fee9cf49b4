import { PTS_HZ } from '../ts/ts-constants.ts';

/** Sampling frequencies by sampling_frequency_index (ISO 14496-3 table 1.18). */
export const ADTS_SAMPLE_RATES_HZ = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350] as const;
export const ADTS_HEADER_BYTES = 7;
export const ADTS_CRC_BYTES = 2;
export const AAC_SAMPLES_PER_RAW_BLOCK = 1024;

export interface AdtsHeader {
  /** MPEG-4 audio object type: ADTS profile + 1 (AAC-LC = 2). */
  audioObjectType: number;
  sampleRateHz: number;
  channels: number;
  /** Whole frame including header (and CRC). */
  frameBytes: number;
  hasCrc: boolean;
  headerBytes: number;
  /** 1024 * raw data blocks. */
  samples: number;
}

/**
 * adts_fixed_header + adts_variable_header (ISO 13818-7 6.2), 7 bytes at `offset`:
 *   syncword(12)=0xFFF id(1) layer(2)=0 protection_absent(1)
 *   profile(2) sampling_frequency_index(4) private(1) channel_configuration(3)
 *   original(1) home(1) copyright_id_bit(1) copyright_id_start(1) aac_frame_length(13)
 *   adts_buffer_fullness(11) number_of_raw_data_blocks_in_frame(2)
 * Returns undefined when the bytes are not a plausible header.
 */
export function parseAdtsHeader(data: Uint8Array, offset: number): AdtsHeader | undefined {
  if (offset + ADTS_HEADER_BYTES > data.byteLength) return undefined;
  const b1 = data[offset + 1]!;
  if (data[offset] !== 0xff || (b1 & 0xf6) !== 0xf0) return undefined; // sync + layer 0
  const b2 = data[offset + 2]!;
  const b3 = data[offset + 3]!;
  const hasCrc = (b1 & 0x01) === 0;
  const freqIndex = (b2 >> 2) & 0x0f;
  const sampleRateHz = ADTS_SAMPLE_RATES_HZ[freqIndex as 0];
  if (freqIndex >= ADTS_SAMPLE_RATES_HZ.length || sampleRateHz === undefined) return undefined;
  const channels = ((b2 & 0x01) << 2) | (b3 >> 6);
  const frameBytes = ((b3 & 0x03) << 11) | (data[offset + 4]! << 3) | (data[offset + 5]! >> 5);
  const headerBytes = ADTS_HEADER_BYTES + (hasCrc ? ADTS_CRC_BYTES : 0);
  if (frameBytes <= headerBytes || channels === 0) return undefined;
  const rawBlocks = (data[offset + 6]! & 0x03) + 1;
  return {
    audioObjectType: ((b2 >> 6) & 0x03) + 1,
    sampleRateHz,
    channels,
    frameBytes,
    hasCrc,
    headerBytes,
    samples: AAC_SAMPLES_PER_RAW_BLOCK * rawBlocks,
  };
}

/** One ADTS frame's duration at 90 kHz, rounded to a tick. */
export function adtsFrameTicks(h: Pick<AdtsHeader, 'samples' | 'sampleRateHz'>): number {
  return Math.round((h.samples * PTS_HZ) / h.sampleRateHz);
}
