import fc from 'fast-check';
import { parse, types } from 'hls-parser';
import { describe, expect, it } from 'vitest';
import { renderMediaPlaylist, type MediaPlaylist } from '../../../lambda/playlist/render-media-playlist.ts';
import { MAX_TIME_MS } from '../../../contract/index.ts';

const T0 = Date.UTC(2026, 0, 1, 23, 59, 54, 0);
const KEY = 'ab'.repeat(16);
const base: MediaPlaylist = { kind: 'VOD', targetDurationSeconds: 6, mediaSequence: 0, discontinuitySequence: 0, entries: [], events: [], ended: true };

describe('renderMediaPlaylist', () => {
  it('writes the RFC 8216 lines for a small VOD with a key change, a discontinuity, a gap and an event', () => {
    const text = renderMediaPlaylist({
      ...base,
      entries: [
        { seq: 1, discSeq: 0, startMs: T0, durationMs: 6000, segment: { keyId: KEY, iv: '01'.repeat(16) }, discontinuity: false },
        { seq: 2, discSeq: 0, startMs: T0 + 6000, durationMs: 5960, discontinuity: false },
        { seq: 3, discSeq: 1, startMs: T0 + 20_000, durationMs: 6000, segment: { keyId: 'cd'.repeat(16), iv: '02'.repeat(16) }, discontinuity: true },
      ],
      events: [{ eventId: 'e1', type: 'motion', startMs: T0 + 21_000, endMs: T0 + 23_500 }],
    });
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:8',
        '#EXT-X-TARGETDURATION:6',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        `#EXT-X-KEY:METHOD=AES-128,URI="keys/${KEY}",IV=0x${'01'.repeat(16)}`,
        '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T23:59:54.000Z',
        '#EXTINF:6.000,',
        `segments/${T0}-1.ts`,
        '#EXT-X-PROGRAM-DATE-TIME:2026-01-02T00:00:00.000Z',
        '#EXTINF:5.960,',
        '#EXT-X-GAP',
        'segments/gap-2.ts',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-DATERANGE:ID="e1",CLASS="com.camrec.event",START-DATE="2026-01-02T00:00:15.000Z",END-DATE="2026-01-02T00:00:17.500Z",X-CAMREC-TYPE="motion"',
        `#EXT-X-KEY:METHOD=AES-128,URI="keys/${'cd'.repeat(16)}",IV=0x${'02'.repeat(16)}`,
        '#EXT-X-PROGRAM-DATE-TIME:2026-01-02T00:00:14.000Z',
        '#EXTINF:6.000,',
        `segments/${T0 + 20_000}-3.ts`,
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
    const pl = parse(text) as types.MediaPlaylist;
    expect(pl.segments.map((s) => [s.mediaSequenceNumber, s.discontinuitySequence, s.gap ?? false])).toEqual([
      [0, 0, false],
      [1, 0, true],
      [2, 1, false],
    ]);
  });

  it('an event still going on gets a DATERANGE with no END-DATE yet (hls-parser reads it)', () => {
    const text = renderMediaPlaylist({
      ...base,
      kind: 'LIVE',
      ended: false,
      entries: [{ seq: 1, discSeq: 0, startMs: T0, durationMs: 6000, segment: { keyId: KEY, iv: '01'.repeat(16) }, discontinuity: false }],
      events: [{ eventId: 'open-1', type: 'doorbell', startMs: T0 + 2000 }],
    });
    expect(text).toContain('#EXT-X-DATERANGE:ID="open-1",CLASS="com.camrec.event",START-DATE="2026-01-01T23:59:56.000Z",X-CAMREC-TYPE="doorbell"\n');
    const pl = parse(text) as types.MediaPlaylist;
    expect(pl.segments[0]!.dateRange).toMatchObject({ id: 'open-1', start: new Date(T0 + 2000) });
    expect(pl.segments[0]!.dateRange!.end).toBeUndefined();
  });

  it('gives an idle camera a valid empty live playlist', () => {
    const text = renderMediaPlaylist({ ...base, kind: 'LIVE', ended: false, mediaSequence: 0 });
    expect(text).toBe('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-INDEPENDENT-SEGMENTS\n');
    expect((parse(text) as types.MediaPlaylist).segments).toEqual([]);
  });

  it('writes PROGRAM-DATE-TIME exactly as Date.toISOString for any time', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: MAX_TIME_MS }), { minLength: 1, maxLength: 20 }), (times) => {
        const entries = times.map((startMs, i) => ({
          seq: i,
          discSeq: 0,
          startMs,
          durationMs: 1000,
          segment: { keyId: KEY, iv: '00'.repeat(16) },
          discontinuity: false,
        }));
        const pdts = renderMediaPlaylist({ ...base, entries })
          .split('\n')
          .filter((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME:'))
          .map((l) => l.slice(25));
        expect(pdts).toEqual(times.map((t) => new Date(t).toISOString()));
      }),
    );
  });

  it('lists packed segments as EXT-X-BYTERANGE of their pack (with offsets) beside hot ones, at version 4', () => {
    const pack = 'continuous-1767225600000-0-0123456789abcdef.ts';
    const text = renderMediaPlaylist({
      ...base,
      entries: [
        {
          seq: 1,
          discSeq: 0,
          startMs: T0,
          durationMs: 6000,
          segment: { keyId: KEY, iv: '01'.repeat(16), pack: { name: pack, offset: 0, length: 376 } },
          discontinuity: false,
        },
        {
          seq: 2,
          discSeq: 0,
          startMs: T0 + 6000,
          durationMs: 6000,
          segment: { keyId: KEY, iv: '02'.repeat(16), pack: { name: pack, offset: 376, length: 752 } },
          discontinuity: false,
        },
        { seq: 3, discSeq: 0, startMs: T0 + 12_000, durationMs: 6000, segment: { keyId: KEY, iv: '03'.repeat(16) }, discontinuity: false },
      ],
    });
    expect(text).toContain('#EXT-X-VERSION:4\n');
    expect(text).toContain(`#EXTINF:6.000,\n#EXT-X-BYTERANGE:376@0\npacks/${pack}\n`);
    expect(text).toContain(`#EXT-X-BYTERANGE:752@376\npacks/${pack}\n`);
    expect(text).toContain(`#EXTINF:6.000,\nsegments/${T0 + 12_000}-3.ts\n`);
    const pl = parse(text) as types.MediaPlaylist;
    expect(pl.segments.map((s) => s.byterange)).toEqual([{ length: 376, offset: 0 }, { length: 752, offset: 376 }, undefined]);
    // A gap still needs version 8, which includes BYTERANGE.
    expect(
      renderMediaPlaylist({
        ...base,
        entries: [
          {
            seq: 1,
            discSeq: 0,
            startMs: T0,
            durationMs: 6000,
            segment: { keyId: KEY, iv: '01'.repeat(16), pack: { name: pack, offset: 0, length: 1 } },
            discontinuity: false,
          },
          { seq: 2, discSeq: 0, startMs: T0 + 6000, durationMs: 6000, discontinuity: false },
        ],
      }),
    ).toContain('#EXT-X-VERSION:8\n');
  });

  it('fMP4: version 6, the clear init section after EXT-X-KEY:METHOD=NONE while a key is in force, the key again, .m4s names', () => {
    const a = 'a1'.repeat(16);
    const b = 'b2'.repeat(16);
    const text = renderMediaPlaylist({
      ...base,
      entries: [
        { seq: 1, discSeq: 0, startMs: T0, durationMs: 6000, segment: { keyId: KEY, iv: '01'.repeat(16), initId: a }, discontinuity: false },
        { seq: 2, discSeq: 0, startMs: T0 + 6000, durationMs: 6000, segment: { keyId: KEY, iv: '02'.repeat(16), initId: a }, discontinuity: false },
        { seq: 3, discSeq: 1, startMs: T0 + 12_000, durationMs: 6000, segment: { keyId: KEY, iv: '03'.repeat(16), initId: b }, discontinuity: true },
      ],
    });
    const body = text.split('\n').filter((l) => !l.startsWith('#EXT-X-PROGRAM-DATE-TIME') && !l.startsWith('#EXTINF'));
    expect(body).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      `#EXT-X-MAP:URI="init/${a}.mp4"`,
      `#EXT-X-KEY:METHOD=AES-128,URI="keys/${KEY}",IV=0x${'01'.repeat(16)}`,
      `segments/${T0}-1.m4s`,
      `#EXT-X-KEY:METHOD=AES-128,URI="keys/${KEY}",IV=0x${'02'.repeat(16)}`,
      `segments/${T0 + 6000}-2.m4s`,
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-KEY:METHOD=NONE',
      `#EXT-X-MAP:URI="init/${b}.mp4"`,
      `#EXT-X-KEY:METHOD=AES-128,URI="keys/${KEY}",IV=0x${'03'.repeat(16)}`,
      `segments/${T0 + 12_000}-3.m4s`,
      '#EXT-X-ENDLIST',
      '',
    ]);
    const pl = parse(text) as types.MediaPlaylist;
    expect(pl.segments.map((s) => [s.map?.uri, s.key?.method])).toEqual([
      [`init/${a}.mp4`, 'AES-128'],
      [`init/${a}.mp4`, 'AES-128'],
      [`init/${b}.mp4`, 'AES-128'],
    ]);
  });
});
