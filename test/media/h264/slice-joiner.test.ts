import { describe, expect, it } from 'vitest';
import { continuesPicture, nalUnits, SliceJoiner } from '../../../media/h264/slice-joiner.ts';

// AUD (09 f0); SPS/PPS stand-ins (67 .., 68 ..);
// IDR slice header byte 0x88 = '1' first_mb_in_slice ue 0, '0001000' slice_type ue 7 (I) ...
// IDR slice continuing at a later macroblock: 0x01 ... = '0000000 1...' first_mb_in_slice ue >= 127.
const AUD = [0, 0, 0, 1, 0x09, 0xf0];
const SPS = [0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x15];
const PPS = [0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80];
const IDR_FIRST = [0, 0, 0, 1, 0x65, 0x88, 0x84, 0x21];
const IDR_REST = [0, 0, 1, 0x65, 0x01, 0x22, 0x33];
const P_FIRST = [0, 0, 0, 1, 0x41, 0x9a, 0x11];
const bytes = (...parts: number[][]) => Uint8Array.from(parts.flat());

describe('SliceJoiner', () => {
  it('finds NAL units behind 3- and 4-byte start codes', () => {
    expect([...nalUnits(bytes(AUD, IDR_REST, [0, 0]))].map((n) => n[0])).toEqual([0x09, 0x65]);
  });

  it('tells a piece that continues a picture (first_mb_in_slice > 0) from one that starts one', () => {
    expect(continuesPicture(bytes(AUD, SPS, PPS, IDR_FIRST))).toBe(false);
    expect(continuesPicture(bytes(AUD, SPS, PPS, IDR_REST))).toBe(true);
    expect(continuesPicture(bytes(AUD, P_FIRST))).toBe(false);
  });

  it("joins a picture sent as two packets (ffmpeg: AUD+SPS+PPS in front of each) into one access unit with the first one's time", () => {
    const out: Array<{ data: number[]; time: number }> = [];
    const j = new SliceJoiner<number>((p) => out.push({ data: [...p.data], time: p.time }));
    j.push(bytes(AUD, SPS, PPS, IDR_FIRST), 100);
    j.push(bytes(AUD, SPS, PPS, IDR_REST), 101);
    j.push(bytes(AUD, P_FIRST), 3700);
    j.flush();
    expect(out).toEqual([
      { data: [...AUD, ...SPS, ...PPS, ...IDR_FIRST, 0, 0, 0, 1, 0x65, 0x01, 0x22, 0x33], time: 100 },
      { data: [...AUD, ...P_FIRST], time: 3700 },
    ]);
  });

  it('drops a piece whose picture never started (a connection that begins mid-picture)', () => {
    const out: number[] = [];
    const j = new SliceJoiner<number>((p) => out.push(p.time));
    j.push(bytes(AUD, SPS, PPS, IDR_REST), 1);
    j.push(bytes(AUD, P_FIRST), 2);
    j.flush();
    expect(out).toEqual([2]);
    expect(j.droppedPieces).toBe(1);
  });
});
