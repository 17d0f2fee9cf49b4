import { describe, expect, it } from 'vitest';
import { BacklogWindows, parseDailyWindow } from '../../../device/link/backlog-windows.ts';

const at = (h: number, m = 0) => new Date(2026, 0, 15, h, m).getTime(); // local time, like the windows

describe('backlog windows', () => {
  it('open inside a window, closed outside; one past midnight wraps', () => {
    const w = new BacklogWindows(['22:00-06:00', '12:30-13:00']);
    expect([at(23), at(2), at(5, 59), at(12, 45)].map((t) => w.isOpen(t))).toEqual([true, true, true, true]);
    expect([at(6), at(12, 29), at(13), at(21, 59)].map((t) => w.isOpen(t))).toEqual([false, false, false, false]);
    expect(new BacklogWindows([]).isOpen(at(9))).toBe(true);
    expect(new BacklogWindows(['00:00-24:00']).isOpen(at(23, 59))).toBe(true);
  });

  it('says how long until the next window opens', () => {
    const w = new BacklogWindows(['01:00-05:00']);
    expect(w.msUntilOpen(at(0, 30))).toBe(30 * 60_000);
    expect(w.msUntilOpen(at(5))).toBe(20 * 60 * 60_000);
    expect(w.msUntilOpen(at(2))).toBe(0);
  });

  it.each([['1:00-5:00'], ['25:00-05:00'], ['01:00-05:60'], ['01:00-01:00'], ['01:00 to 05:00']])('refuses %s with the expected form', (text) => {
    expect(() => parseDailyWindow(text)).toThrow(/HH:MM-HH:MM|empty/);
  });
});
