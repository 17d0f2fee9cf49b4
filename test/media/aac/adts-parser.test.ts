import { describe, expect, it } from 'vitest';
import { parseAdtsHeader } from '../../../media/aac/adts-header.ts';
import { AdtsParser } from '../../../media/aac/adts-parser.ts';

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
  const p = new AdtsParser(
    (e) => frames.push({ bytes: [...e.frame], offset: e.offset }),
    (m) => errors.push(m),
  );
  for (const c of chunks) p.push(c);
  p.flush();
  return { frames, errors, dropped: p.droppedBytes };
}

describe('ADTS', () => {
  it('reads sample rate, channels, object type and length with and without CRC', () => {
    expect(parseAdtsHeader(adtsFrame(20, false, 0x11), 0)).toMatchObject({
      sampleRateHz: 48000,
      channels: 2,
      audioObjectType: 2,
      frameBytes: 27,
      hasCrc: false,
      headerBytes: 7,
      samples: 1024,
    });
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

  /** An ADTS frame as above but with sampling_frequency_index and channel_configuration given. */
  function adtsFrameOf(sfIndex: number, channels: number, payloadBytes: number, fill: number): Uint8Array {
    const f = adtsFrame(payloadBytes, false, fill);
    f[2] = (0b01 << 6) | (sfIndex << 2) | ((channels >> 2) & 1);
    f[3] = ((channels & 3) << 6) | (f[3]! & 0x03);
    return f;
  }

  it('a plausible fake header in leading garbage does not lock out the real stream (all 1,000 frames come out)', () => {
    // Fake: 44.1 kHz (index 4) mono, a 10-byte frame, then junk without 0xFF.
    const fake = Uint8Array.from([...adtsFrameOf(4, 1, 3, 0x33), 0x12, 0x34, 0x56, 0x78, 0x9a]);
    const real = Array.from({ length: 1000 }, (_, i) => adtsFrameOf(3, 2, 20 + (i % 7), 0x40 + (i % 16)));
    const r = parse([concat([fake, ...real])]);
    expect(r.frames).toHaveLength(1000);
    expect(r.frames.every((f, i) => f.bytes.length === real[i]!.byteLength)).toBe(true);
    expect(r.errors).toHaveLength(1);
    expect(r.dropped).toBe(fake.byteLength);
  });

  it('follows a genuine audio config change (48 kHz stereo -> 44.1 kHz mono) without losing frames', () => {
    const before = Array.from({ length: 50 }, () => adtsFrameOf(3, 2, 30, 0x21));
    const after = Array.from({ length: 50 }, () => adtsFrameOf(4, 1, 25, 0x22));
    const bytes = concat([...before, ...after]);
    for (const cut of [0, 1, 37, 30 * 37 + 3, 50 * 37 + 5, bytes.byteLength - 4]) {
      const r = parse(cut ? [bytes.subarray(0, cut), bytes.subarray(cut)] : [bytes]);
      expect(
        r.frames.map((f) => f.bytes.length),
        `cut at ${cut}`,
      ).toEqual([...before, ...after].map((f) => f.byteLength));
      expect(r.errors).toEqual([]);
      expect(r.dropped).toBe(0);
    }
  });

  it('a lone frame is believed at end of stream (nothing after it to confirm it)', () => {
    const one = adtsFrameOf(4, 1, 25, 0x22);
    expect(parse([one]).frames.map((f) => f.bytes.length)).toEqual([32]);
  });
});
