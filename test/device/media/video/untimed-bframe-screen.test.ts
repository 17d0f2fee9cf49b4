import { describe, expect, it } from 'vitest';
import { UnsupportedStreamError } from '../../../../media/media-error.ts';
import { UntimedBFrameScreen, untimedBFramesError } from '../../../../device/media/video/untimed-bframe-screen.ts';
import type { VideoUnit } from '../../../../device/media/video/video-unit.ts';
import { unit } from '../stage-fixtures.ts';

function screen(): { s: UntimedBFrameScreen; log: string[] } {
  const log: string[] = [];
  const s = new UntimedBFrameScreen({
    drop: (u) => log.push(`drop ${u.offset}`),
    skipSlot: () => log.push('slot'),
    corrupt: (u, why) => log.push(`corrupt ${u.offset}: ${why}`),
    refuse: (u) => {
      log.push(`refuse ${u.offset}`);
      throw untimedBFramesError();
    },
  });
  return { s, log };
}
const u = (offset: number, o: Partial<VideoUnit> = {}): VideoUnit => unit({ isKey: false, offset, ...o });

describe('UntimedBFrameScreen: raw H.264 cannot carry B-frames', () => {
  it('frames without B slices pass untouched', () => {
    const { s, log } = screen();
    expect(s.screen(u(0, { isKey: true }))).toBe(false);
    expect(s.screen(u(1))).toBe(false);
    expect(log).toEqual([]);
  });

  it('a second well-formed B frame in the GOP refuses the stream, with the fix', () => {
    const { s, log } = screen();
    expect(s.screen(u(1, { bSlice: 'well-formed' }))).toBe(true);
    expect(s.screen(u(2))).toBe(true); // held back: dropped while the screen decides
    expect(() => s.screen(u(3, { bSlice: 'well-formed' }))).toThrow(UnsupportedStreamError);
    expect(log).toEqual(['slot', 'drop 2', 'refuse 3']);
    expect(untimedBFramesError().message).toMatch(/B-frames but no timestamps.*-bf 0/);
  });

  it('a lone B frame before the next key frame was corrupt bytes; a malformed one is corrupt at once', () => {
    const { s, log } = screen();
    s.screen(u(1, { bSlice: 'well-formed' }));
    expect(s.screen(u(5, { isKey: true }))).toBe(false);
    expect(s.screen(u(6, { bSlice: 'malformed' }))).toBe(true);
    expect(log).toEqual([
      'slot',
      'corrupt 1: frame at byte 1 has a B slice (corrupt bytes, or B-frames)',
      'corrupt 6: frame at byte 6 has a B slice that names no known PPS (or a Baseline SPS) (corrupt bytes, or B-frames)',
    ]);
  });
});
