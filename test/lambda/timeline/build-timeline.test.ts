import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../lambda/timeline/build-timeline.ts';

const T0 = Date.UTC(2026, 0, 1);
const s = (sec: number, dur = 6) => ({ startMs: T0 + sec * 1000, durationMs: dur * 1000 });

describe('buildTimeline', () => {
  it('merges adjacent segments into spans and reports the holes as gaps', () => {
    const t = buildTimeline(
      'cam',
      T0,
      T0 + 60_000,
      [s(0), s(6), s(12.2), s(30), s(36)],
      [{ eventId: 'e', type: 'motion', startMs: T0 + 31_000, endMs: T0 + 33_000 }],
      null,
    );
    expect(t.spans.map((x) => [x.startMs - T0, x.endMs - T0, x.segments])).toEqual([
      [0, 18_200, 3],
      [30_000, 42_000, 2],
    ]);
    expect(t.gaps.map((x) => [x.startMs - T0, x.endMs - T0])).toEqual([
      [18_200, 30_000],
      [42_000, 60_000],
    ]);
    expect(t.events).toEqual([
      {
        eventId: 'e',
        type: 'motion',
        startMs: T0 + 31_000,
        endMs: T0 + 33_000,
        start: new Date(T0 + 31_000).toISOString(),
        end: new Date(T0 + 33_000).toISOString(),
      },
    ]);
    expect(t.start).toBe(new Date(T0).toISOString());
    expect(t.nextCursor).toBeNull();
  });

  it('clips a segment running into the page and reports an empty range as one gap', () => {
    const t = buildTimeline('cam', T0 + 3000, T0 + 10_000, [s(0), s(6)], [], '123');
    expect(t.spans.map((x) => [x.startMs - T0, x.endMs - T0])).toEqual([[3000, 10_000]]);
    expect(buildTimeline('cam', T0, T0 + 1000, [], [], null).gaps).toHaveLength(1);
  });
});
