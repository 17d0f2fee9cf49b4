import { describe, expect, it } from 'vitest';
import { parseAdtsHeader } from '../../../../device/media/aac/adts-header.ts';
import { AdtsParser } from '../../../../device/media/aac/adts-parser.ts';

/**
 * ADTS header bits: FFF sync | id 0 | layer 00 | protection_absent | profile 01 (LC) |
 * sf index 0011 (48 kHz) | private 0 | channel config 010 | 4 bits 0 | frame length (13) |
 * fullness 7FF | raw blocks 00.
 */
function adtsFrame(payloadBytes: number, withCrc: boolean, fill: number): Uint8Array {
  const header = withCrc ? 9 : 7;
  const len = header + payloadBytes;
  const f = new Uint8Array(len).fill(fill);
  f[0] = 0xff;
  f[1] = withCrc ? 0xf0 : 0xf1;
  f[2] = (0b01 << 6) | (3 << 2) | 0; // profile LC, 48 kHz, channel bit 2 = 0
  f[3] = (0b10 << 6) | ((len >> 11) & 0x03); // channels 2
  f[4] = (len >> 3) & 0xff;
  f[5] = ((len & 0x07) << 5) | 0x1f;
  f[6] = 0xfc;
  return f;
}

const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

function parse(chunks: Uint8Array[]) {
  const frames: Array<{ bytes: number[]; offset: number }> = [];
  const errors: string[] = [];
  const p = new AdtsParser((e) => frames.push({ bytes: [...e.frame], offset: e.offset }), (m) => errors.push(m));
  for (const c of chunks) p.push(c);
  p.flush();
  return { frames, errors, dropped: p.droppedBytes };
}

describe('ADTS', () => {
  it('reads sample rate, channels, object type and length with and without CRC', () => {
    expect(parseAdtsHeader(adtsFrame(20, false, 0x11), 0)).toMatchObject({ sampleRateHz: 48000, channels: 2, audioObjectType: 2, frameBytes: 27, hasCrc: false, headerBytes: 7, samples: 1024 });
    expect(parseAdtsHeader(adtsFrame(20, true, 0x11), 0)).toMatchObject({ frameBytes: 29, hasCrc: true, headerBytes: 9 });
    expect(parseAdtsHeader(Uint8Array.of(0xff, 0xf1, 0x3c, 0x80, 0, 0, 0), 0)).toBeUndefined(); // sf index 15
  });

  const stream = concat([adtsFrame(10, false, 0x21), adtsFrame(15, true, 0x22), adtsFrame(5, false, 0x23)]);

  it('gives the same frames when the input is split at every offset', () => {
    const whole = parse([stream]);
    expect(whole.frames.map((f) => f.bytes.length)).toEqual([17, 24, 12]);
    expect(whole.frames.map((f) => f.offset)).toEqual([0, 17, 41]);
    for (let cut = 0; cut <= stream.byteLength; cut++) {
      expect(parse([stream.subarray(0, cut), stream.subarray(cut)]).frames, `cut at ${cut}`).toEqual(whole.frames);
    }
  });

  it('skips garbage to the next header, counts it once, and reports a truncated last frame', () => {
    const r = parse([concat([Uint8Array.of(1, 2, 3, 0xff, 0x00), stream, stream.subarray(0, 10)])]);
    expect(r.frames.map((f) => f.bytes.length)).toEqual([17, 24, 12]);
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]).toMatch(/out of sync at byte 0/);
    expect(r.errors[1]).toMatch(/ends inside a frame/);
    expect(r.dropped).toBe(15);
  });
});
