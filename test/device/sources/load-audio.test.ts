import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '../../../device/sources/file-source.ts';

/**
 * One ADTS frame, no CRC (ISO 14496-3 1.A.2.2):
 * syncword 0xFFF (12) | ID 0 (1) | layer 00 (2) | protection_absent 1 (1)      -> FF F1
 * profile 01 = AAC LC (2) | sampling_frequency_index 0011 = 48 kHz (4) | private 0 (1) | channel_configuration bit 2 = 0 (1) -> 4C
 * channel_configuration bits 1..0 = 01 (2) | original, home, copyright id, copyright start 0000 (4) | frame_length bits 12..11 (2)
 * frame_length bits 10..3 (8)
 * frame_length bits 2..0 (3) | adts_buffer_fullness 0x7FF bits 10..6 (5)
 * adts_buffer_fullness bits 5..0 (6) | number_of_raw_data_blocks_in_frame 00 (2) -> FC
 */
function adtsFrame(payload: Uint8Array): Uint8Array {
  const frameLength = 7 + payload.length;
  const header = [0xff, 0xf1, 0x4c, 0x40 | (frameLength >> 11), (frameLength >> 3) & 0xff, ((frameLength & 0x07) << 5) | 0x1f, 0xfc];
  return Uint8Array.from([...header, ...payload]);
}

describe('loadAudio', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-load-audio-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a file of one ADTS frame yields that frame at 0 ms', async () => {
    const frame = adtsFrame(new Uint8Array(10).fill(0x21));
    writeFileSync(join(dir, 'one.aac'), frame);
    const frames = await loadAudio(join(dir, 'one.aac'));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.atMs).toBe(0);
    expect(Array.from(frames[0]!.data)).toEqual(Array.from(frame));
  });

  it('every frame of a file, the last one included, timed by samples (1024 per frame at 48 kHz)', async () => {
    const frames = [10, 12, 9].map((n, i) => adtsFrame(new Uint8Array(n).fill(i + 1)));
    writeFileSync(join(dir, 'three.aac'), Buffer.concat(frames));
    const got = await loadAudio(join(dir, 'three.aac'));
    expect(got.map((f) => f.atMs)).toEqual([0, 1024_000 / 48_000, 2048_000 / 48_000]);
    expect(got.map((f) => f.data.length)).toEqual([17, 19, 16]);
  });
});
