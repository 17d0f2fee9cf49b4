/**
 * An independent ADTS frame writer for the fuzz round trips (ISO 13818-7 6.2):
 *   syncword(12)=0xFFF id(1) layer(2)=0 protection_absent(1)
 *   profile(2) sampling_frequency_index(4) private(1) channel_configuration(3)
 *   original(1) home(1) copyright_id_bit(1) copyright_id_start(1) aac_frame_length(13)
 *   adts_buffer_fullness(11)=0x7FF number_of_raw_data_blocks_in_frame(2)
 */
export interface AdtsConfig {
  /** ADTS profile (object type - 1): 1 = AAC-LC. */
  profile: number;
  sampleRateIndex: number;
  channels: number;
}

export const ADTS_MAX_FRAME_BYTES = 8191;

export function adtsFrame(c: AdtsConfig, payload: Uint8Array, crc = false): Uint8Array {
  const headerBytes = crc ? 9 : 7;
  const len = headerBytes + payload.byteLength;
  if (len > ADTS_MAX_FRAME_BYTES) throw new RangeError(`ADTS frame of ${len} bytes`);
  const h = [
    0xff,
    0xf0 | (crc ? 0 : 1),
    ((c.profile & 3) << 6) | ((c.sampleRateIndex & 0xf) << 2) | ((c.channels >> 2) & 1),
    ((c.channels & 3) << 6) | ((len >> 11) & 3),
    (len >> 3) & 0xff,
    ((len & 7) << 5) | 0x1f,
    0xfc,
  ];
  if (crc) h.push(0, 0);
  return Uint8Array.of(...h, ...payload);
}
