import { parse, types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoSegmentIndex } from '../../../lambda/index/dynamo-segment-index.ts';
import { ffmpegRun, makeMediaSegments } from '../support/fixture-media.ts';
import { countVideoFrames } from '../../fixtures/video-judges.ts';
import { PlaybackHarness, TABLE, type UploadSegment } from '../support/playback-harness.ts';

const CAMERA = 'cam-front-door';
const SECONDS = 6;

describe('ON_DEMAND playback through the handlers (s3rver + dynalite + ffmpeg)', () => {
  let h: PlaybackHarness;
  let epochMs: number;
  let uploads: UploadSegment[];
  let keyId: string;

  beforeAll(async () => {
    h = await PlaybackHarness.start({ targetDurationSeconds: 2 });
    epochMs = Math.floor((Date.now() - 10 * 60_000) / 1000) * 1000;
    const media = await makeMediaSegments({ seconds: SECONDS, epochMs });
    const dataKey = await h.putDataKey(CAMERA);
    keyId = dataKey.keyId;
    uploads = h.encrypt(CAMERA, media, { seq: 100, discSeq: 3, ...dataKey });
    // Out of order, and the last one twice: the index must not care.
    for (const i of [2, 0, 1, 5, 3, 4, 5]) await h.putSegment(uploads[i % uploads.length]!);
    await h.putEvent({ version: 1, deviceId: CAMERA, eventId: 'evt-1', type: 'motion', startMs: epochMs + 1500, endMs: epochMs + 3500 });
    await h.settle();
  });
  afterAll(async () => h?.close());

  it('indexes every object once and keeps the device state at the highest seq', async () => {
    expect(h.indexErrors).toEqual([]);
    const indexed = h.reports.reduce((n, r) => n + r.indexed, 0);
    const duplicates = h.reports.reduce((n, r) => n + r.duplicates, 0);
    expect(indexed).toBe(uploads.length + 2); // segments + wrapped key + event
    expect(duplicates).toBe(1);
    const state = await dynamoSegmentIndex(h.dynamo.createClient(), TABLE).getState(CAMERA);
    expect(state).toMatchObject({ lastSeq: 100 + uploads.length - 1, lastDiscSeq: 3, lastKeyId: keyId });
  });

  it('serves a VOD playlist an independent parser reads as the recording', async () => {
    const { playlistUrl } = await h.session(CAMERA, {
      mode: 'ON_DEMAND',
      start: new Date(epochMs).toISOString(),
      end: new Date(epochMs + SECONDS * 1000).toISOString(),
    });
    const res = await fetch(playlistUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const text = await res.text();
    const pl = parse(text) as types.MediaPlaylist;
    expect(pl.isMasterPlaylist).toBe(false);
    expect(pl.playlistType).toBe('VOD');
    expect(pl.endlist).toBe(true);
    expect(pl.targetDuration).toBe(2);
    expect(pl.segments).toHaveLength(uploads.length);
    pl.segments.forEach((s, i) => {
      expect(s.programDateTime?.getTime()).toBe(uploads[i]!.meta.startMs);
      expect(s.duration).toBeCloseTo(uploads[i]!.meta.durationMs / 1000, 3);
      expect(s.key?.method).toBe('AES-128');
      expect(Buffer.from(s.key!.iv!).toString('hex')).toBe(uploads[i]!.meta.iv);
      expect(s.uri).toBe(`segments/${uploads[i]!.meta.startMs}-${uploads[i]!.meta.seq}.ts`);
    });
    expect(text).toContain('#EXT-X-DATERANGE:ID="evt-1"');
  });

  it('serves LIVE_REPLAY as a growing EVENT playlist that ends once its range is over', async () => {
    const open = await h.session(CAMERA, { mode: 'LIVE_REPLAY', start: new Date(epochMs + 2000).toISOString() });
    const growing = parse(await h.text(open.playlistUrl)) as types.MediaPlaylist;
    expect(growing.playlistType).toBe('EVENT');
    expect(growing.endlist).toBe(false);
    expect(growing.segments).toHaveLength(uploads.length - 2);
    const closed = await h.session(CAMERA, { mode: 'LIVE_REPLAY', start: new Date(epochMs).toISOString(), end: new Date(epochMs + 3000).toISOString() });
    const done = parse(await h.text(closed.playlistUrl)) as types.MediaPlaylist;
    expect(done.endlist).toBe(true);
    expect(done.segments.map((s) => s.uri)).toEqual(uploads.slice(0, 3).map((u) => `segments/${u.meta.startMs}-${u.meta.seq}.ts`));
    expect((await ffmpegRun(['-nostdin', '-v', 'warning', '-i', closed.playlistUrl, '-map', '0', '-f', 'null', '-'])).stderr).toBe('');
  });

  it('answers the timeline with one recorded span, the gaps around it and the event', async () => {
    const q = new URLSearchParams({ start: new Date(epochMs - 60_000).toISOString(), end: new Date(epochMs + 60_000).toISOString() });
    const res = await fetch(`${h.baseUrl}/v1/cameras/${CAMERA}/timeline?${q}`);
    expect(res.status).toBe(200);
    const t = (await res.json()) as {
      spans: { startMs: number; endMs: number; segments: number }[];
      gaps: unknown[];
      events: { eventId: string }[];
      nextCursor: string | null;
    };
    const last = uploads.at(-1)!.meta;
    expect(t.spans).toEqual([expect.objectContaining({ startMs: epochMs, endMs: last.startMs + last.durationMs, segments: uploads.length })]);
    expect(t.gaps).toHaveLength(2);
    expect(t.events.map((e) => e.eventId)).toEqual(['evt-1']);
    expect(t.nextCursor).toBeNull();
    // Paged two segments at a time, the pages cover the same span.
    let cursor: string | null = null;
    let segments = 0;
    do {
      const page = new URLSearchParams(q);
      page.set('limit', '2');
      if (cursor) page.set('cursor', cursor);
      const body = (await (await fetch(`${h.baseUrl}/v1/cameras/${CAMERA}/timeline?${page}`)).json()) as typeof t;
      segments += body.spans.reduce((n, s) => n + s.segments, 0);
      cursor = body.nextCursor;
    } while (cursor);
    expect(segments).toBe(uploads.length);
  });

  it('ffmpeg plays the playlist over HTTP, decrypting with the key route, with no warnings', async () => {
    const { playlistUrl } = await h.session(CAMERA, {
      mode: 'ON_DEMAND',
      start: new Date(epochMs).toISOString(),
      end: new Date(epochMs + SECONDS * 1000).toISOString(),
    });
    const { stderr } = await ffmpegRun(['-nostdin', '-v', 'warning', '-i', playlistUrl, '-map', '0', '-f', 'null', '-']);
    expect(stderr).toBe('');
    const stream = await countVideoFrames(playlistUrl);
    expect(stream).toMatchObject({ codec_name: 'h264', width: 128, height: 96 });
    expect(stream.frames).toBe(SECONDS * 10);
  });

  it('redirects a segment to a presigned GET and serves the 16-byte key only to the session', async () => {
    const { playlistUrl } = await h.session(CAMERA, { mode: 'ON_DEMAND', start: new Date(epochMs).toISOString(), end: new Date(epochMs + 2000).toISOString() });
    const base = playlistUrl.replace(/playlist\.m3u8$/, '');
    const seg = await fetch(`${base}segments/${uploads[0]!.meta.startMs}-${uploads[0]!.meta.seq}.ts`, { redirect: 'manual' });
    expect(seg.status).toBe(302);
    const location = seg.headers.get('location')!;
    expect(location).toContain('X-Amz-Signature=');
    const body = new Uint8Array(await (await fetch(location)).arrayBuffer());
    expect(Buffer.from(body).equals(Buffer.from(uploads[0]!.body))).toBe(true);
    const key = await fetch(`${base}keys/${keyId}`);
    expect(key.status).toBe(200);
    expect(key.headers.get('cache-control')).toBe('no-store');
    expect((await key.arrayBuffer()).byteLength).toBe(16);
  });
});
