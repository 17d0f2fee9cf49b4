import { ADTS_SAMPLE_RATES_HZ } from '../aac/adts-header.ts';
import { MediaArgumentError } from '../media-error.ts';

/** What an AAC track needs to describe its stream (an ADTS header has all of it). */
export interface AacConfig {
  /** MPEG-4 audio object type (ADTS profile + 1; AAC-LC = 2). */
  audioObjectType: number;
  sampleRateHz: number;
  /** channel_configuration (ADTS carries it as is): 1..6 that many channels, 7 = 7.1 (8 channels). */
  channelConfiguration: number;
}

/** Channels by channel_configuration (14496-3 table 1.19); 0 means "described in the stream", which camrec refuses. */
export const CHANNELS_BY_CONFIGURATION = [0, 1, 2, 3, 4, 5, 6, 8] as const;
const ESCAPE_FREQUENCY_INDEX = 0x0f;
const MAX_PLAIN_OBJECT_TYPE = 30;

/**
 * AudioSpecificConfig (ISO 14496-3 1.6.2.1) for AAC, the DecoderSpecificInfo of esds:
 *   audioObjectType(5) samplingFrequencyIndex(4) [samplingFrequency(24) if index 0xF]
 *   channelConfiguration(4)
 *   GASpecificConfig: frameLengthFlag(1)=0 (1024 samples) dependsOnCoreCoder(1)=0 extensionFlag(1)=0
 * padded with zero bits to a whole byte: 2 bytes for the rates of table 1.18, 5 otherwise.
 */
export function audioSpecificConfig(c: AacConfig): Uint8Array {
  if (!(c.audioObjectType >= 1 && c.audioObjectType <= MAX_PLAIN_OBJECT_TYPE)) {
    throw new MediaArgumentError(`AAC audio object type ${c.audioObjectType} is outside 1..${MAX_PLAIN_OBJECT_TYPE}: pass the ADTS profile + 1`);
  }
  if (!(c.channelConfiguration >= 1 && c.channelConfiguration < CHANNELS_BY_CONFIGURATION.length)) {
    throw new MediaArgumentError(
      `AAC channel_configuration ${c.channelConfiguration} is not supported: the encoder must send 1..7 (0, a program config element, is not)`,
    );
  }
  if (!(Number.isInteger(c.sampleRateHz) && c.sampleRateHz > 0 && c.sampleRateHz < 2 ** 24)) {
    throw new MediaArgumentError(`AAC sample rate ${c.sampleRateHz} Hz is not a whole number of Hz under 2^24`);
  }
  const index = (ADTS_SAMPLE_RATES_HZ as readonly number[]).indexOf(c.sampleRateHz);
  const fields: Array<[bits: number, value: number]> = [[5, c.audioObjectType]];
  if (index >= 0) fields.push([4, index]);
  else fields.push([4, ESCAPE_FREQUENCY_INDEX], [24, c.sampleRateHz]);
  fields.push([4, c.channelConfiguration], [1, 0], [1, 0], [1, 0]);
  const totalBits = fields.reduce((n, [bits]) => n + bits, 0);
  const out = new Uint8Array(Math.ceil(totalBits / 8));
  let pos = 0;
  for (const [bits, value] of fields) {
    for (let i = bits - 1; i >= 0; i--, pos++) {
      if (Math.floor(value / 2 ** i) % 2) out[pos >> 3]! |= 0x80 >> (pos & 7);
    }
  }
  return out;
}
