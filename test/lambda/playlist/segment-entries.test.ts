import { describe, expect, it } from 'vitest';
import type { SegmentIndex } from '../../../lambda/index/segment-index.ts';
import { arrivalHoldMs, buildSessionPlaylist, liveStaleAfterMs } from '../../../lambda/playlist/build-session-playlist.ts';
import { idleWindow, liveWindow, rangeEntries } from '../../../lambda/playlist/segment-entries.ts';

const T0 = 1_767_225_600_000;
const KEY = 'ab'.repeat(16);
/** A 6 s segment with device seq `seq`, placed at its natural time from T0. */
const seg = (seq: number, discSeq = 0, startMs = T0 + (seq - 100) * 6000) => ({
  seq,
  discSeq,
  startMs,
  durationMs: 6000,
  keyId: KEY,
  iv: seq.toString(16).padStart(32, '0'),
});
const shape = (es: { seq: number; segment?: unknown; discontinuity: boolean }[]) =>
  es.map((e) => `${e.discontinuity ? '|' : ''}${e.seq}${e.segment ? '' : 'g'}`);

describe('liveWindow', () => {
  it('is empty (sequence 0) for an idle camera', () => {
    expect(liveWindow([], 5)).toEqual({ mediaSequence: 0, discontinuitySequence: 0, entries: [] });
  });

  it('holds the newest N seqs, numbered by device seq', () => {
    const w = liveWindow(
      [100, 101, 102, 103, 104, 105, 106].map((s) => seg(s, 4)),
      5,
    );
    expect(w.mediaSequence).toBe(102);
    expect(w.discontinuitySequence).toBe(4);
    expect(shape(w.entries)).toEqual(['102', '103', '104', '105', '106']);
  });

  it('shows a missing seq inside the window as a gap with an estimated time', () => {
    const w = liveWindow(
      [100, 101, 102, 104, 105].map((s) => seg(s)),
      5,
    );
    expect(shape(w.entries)).toEqual(['101', '102', '103g', '104', '105']);
    expect(w.entries[2]).toMatchObject({ startMs: T0 + 3 * 6000, durationMs: 6000 });
  });

  it('starts with a gap when the first seq of the window is late, history below', () => {
    const w = liveWindow(
      [99, 100, 102, 103, 104, 105].map((s) => seg(s)),
      5,
    );
    expect(w.mediaSequence).toBe(101);
    expect(shape(w.entries)).toEqual(['101g', '102', '103', '104', '105']);
  });

  it('starts at the first segment for a camera that has just started', () => {
    const w = liveWindow(
      [500, 501].map((s) => seg(s)),
      5,
    );
    expect(w.mediaSequence).toBe(500);
    expect(shape(w.entries)).toEqual(['500', '501']);
  });

  it('marks a restart (disc-seq change) and drops a run left behind by a seq reset', () => {
    const kept = liveWindow([seg(100, 1), seg(101, 1), seg(102, 2), seg(103, 2)], 5);
    expect(shape(kept.entries)).toEqual(['100', '101', '|102', '103']);
    const reset = liveWindow([seg(100, 1), seg(101, 1), seg(1_767_225_900, 2, T0 + 20_000)], 5);
    expect(reset.mediaSequence).toBe(1_767_225_900);
    expect(reset.discontinuitySequence).toBe(2);
    expect(shape(reset.entries)).toEqual(['1767225900']);
  });

  it('never lowers MEDIA-SEQUENCE as segments arrive in any order within a running camera', () => {
    const arrival = [100, 101, 102, 103, 104, 106, 105, 107, 109, 108, 110, 112, 111];
    let prev = -1;
    for (let i = 1; i <= arrival.length; i++) {
      const w = liveWindow(
        arrival.slice(Math.max(0, i - 10), i).map((s) => seg(s)),
        5,
      );
      expect(w.mediaSequence).toBeGreaterThanOrEqual(prev);
      prev = w.mediaSequence;
    }
  });
});

describe('rangeEntries', () => {
  it('fills a hole that fits the missing seqs with gaps', () => {
    expect(shape(rangeEntries([seg(100), seg(101), seg(104)], 6000))).toEqual(['100', '101', '102g', '103g', '104']);
  });

  it('treats a pause in recording (seq +1, time jumps) as a discontinuity, not a gap', () => {
    expect(shape(rangeEntries([seg(100), seg(101, 0, T0 + 3_600_000)], 6000))).toEqual(['100', '|101']);
  });

  it('treats a missing seq with an hour-long hole as a discontinuity', () => {
    expect(shape(rangeEntries([seg(100), seg(102, 0, T0 + 3_600_000)], 6000))).toEqual(['100', '|102']);
  });

  it('marks a disc-seq change even when times are contiguous', () => {
    expect(shape(rangeEntries([seg(100, 0), seg(101, 1)], 6000))).toEqual(['100', '|101']);
  });

  it('marks another init section (fMP4: a new codec, resolution or container) as a discontinuity even under one disc-seq', () => {
    const a = 'a1'.repeat(16);
    const b = 'b2'.repeat(16);
    const fmp4 = (seq: number, initId?: string) => ({ ...seg(seq), ...(initId ? { initId } : {}) });
    expect(shape(rangeEntries([fmp4(100, a), fmp4(101, a), fmp4(102, b), fmp4(103)], 6000))).toEqual(['100', '101', '|102', '|103']);
  });
});

describe('idleWindow', () => {
  it('lists nothing and numbers on from the newest seq and disc-seq, in any order', () => {
    expect(idleWindow([seg(104, 2), seg(102, 1), seg(103, 2)])).toEqual({ mediaSequence: 105, discontinuitySequence: 2, entries: [] });
  });
  it('is sequence 0 for a camera that never recorded', () => {
    expect(idleWindow([])).toEqual({ mediaSequence: 0, discontinuitySequence: 0, entries: [] });
  });
});

describe('buildSessionPlaylist LIVE for a camera that stopped recording', () => {
  const settings = { targetDurationSeconds: 8, liveWindowSegments: 5 };
  const claims = { deviceId: 'cam', mode: 'LIVE', issuedAtSeconds: T0 / 1000, expiresAtSeconds: T0 / 1000 + 3600 } as const;
  const index = (segs: ReturnType<typeof seg>[]) => ({ newestSegments: async () => segs, queryEvents: async () => [] }) as unknown as SegmentIndex;
  const segs = [100, 101, 102, 103, 104].map((s) => seg(s));
  const newestEndMs = T0 + 5 * 6000;

  it('keeps the full window while the newest segment is recent, drops what aged out, then lists nothing', async () => {
    const at = async (nowMs: number) => (await buildSessionPlaylist(claims, index(segs), settings, nowMs)).body;
    const live = await at(newestEndMs + 5000);
    expect(live).toContain('#EXT-X-MEDIA-SEQUENCE:100\n');
    expect(live.match(/^segments\//gm)).toHaveLength(5);
    // 48 s = (5 + 1) x 8 s after segment 101 ended, it has slid out; 102..104 remain
    const draining = await at(T0 + 2 * 6000 + liveStaleAfterMs(settings) + 1);
    expect(draining).toContain('#EXT-X-MEDIA-SEQUENCE:102\n');
    expect(draining.match(/^segments\//gm)).toHaveLength(3);
    const idle = await at(newestEndMs + liveStaleAfterMs(settings) + 1);
    expect(idle).toContain('#EXT-X-MEDIA-SEQUENCE:105\n');
    expect(idle).not.toMatch(/^segments\//m);
    expect(idle).not.toContain('#EXT-X-ENDLIST');
  });
});

describe('buildSessionPlaylist for a range with a segment that landed late', () => {
  const settings = { targetDurationSeconds: 6, liveWindowSegments: 5 };
  const hold = arrivalHoldMs(settings);
  // 101 was indexed long after 102 (a retried upload); every other segment right after it ended.
  const indexed = (seq: number) => (seq === 101 ? T0 + 60_000 : T0 + (seq - 99) * 6000 + 200);
  const segs = [100, 101, 102, 103].map((s) => ({ ...seg(s), indexedMs: indexed(s) }));
  const index = (visible: typeof segs) => ({ querySegments: async () => ({ items: visible }), queryEvents: async () => [] }) as unknown as SegmentIndex;
  const session = (mode: 'LIVE_REPLAY' | 'ON_DEMAND', issuedAtMs: number) =>
    ({ deviceId: 'cam', mode, startMs: T0, endMs: T0 + 3_600_000, issuedAtSeconds: issuedAtMs / 1000, expiresAtSeconds: issuedAtMs / 1000 + 3600 }) as const;
  const uris = (body: string) => body.split('\n').filter((l) => l.startsWith('segments/'));

  it('a growing LIVE_REPLAY waits at the hole for the hold, lists a gap after it, and keeps the gap when the segment lands', async () => {
    const claims = session('LIVE_REPLAY', T0);
    const without101 = segs.filter((s) => s.seq !== 101);
    const early = await buildSessionPlaylist(claims, index(without101), settings, indexed(102) + hold - 1);
    expect(uris(early.body)).toHaveLength(1);
    const gap = await buildSessionPlaylist(claims, index(without101), settings, indexed(102) + hold);
    expect(uris(gap.body)).toHaveLength(4);
    expect(gap.body).toContain('#EXT-X-GAP\nsegments/gap-');
    const landed = await buildSessionPlaylist(claims, index(segs), settings, T0 + 61_000);
    expect(uris(landed.body)).toEqual(uris(gap.body));
  });

  it('a session issued after the segment landed, and every ON_DEMAND, list it as itself', async () => {
    for (const claims of [session('LIVE_REPLAY', T0 + 62_000), session('ON_DEMAND', T0)]) {
      const body = (await buildSessionPlaylist(claims, index(segs), settings, T0 + 63_000)).body;
      expect(body, claims.mode).not.toContain('#EXT-X-GAP');
      expect(uris(body), claims.mode).toHaveLength(4);
    }
  });
});
