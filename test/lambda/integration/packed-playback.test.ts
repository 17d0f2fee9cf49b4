import { DeleteItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { parse, types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegRun, makeMediaSegments } from '../support/fixture-media.ts';
import { countVideoFrames } from '../../fixtures/video-judges.ts';
import { PlaybackHarness, TABLE, type UploadSegment } from '../support/playback-harness.ts';
import { IndexTable, SortKeyPrefix, padMs } from '../../../contract/index.ts';

const CAMERA = 'cam-packed';
const HOUR_MS = 3_600_000;
const SECONDS = 12;

/**
 * Twelve one-second segments of real media (the device's own muxer and AES-128), the
 * first six in one pack hour and the last six in the next. The first hour is packed (one
 * pack object of byte ranges), the second stays hot: an ON_DEMAND playlist over both lists
 * six EXT-X-BYTERANGE segments of the pack and six hot segments.
 */
describe('ON_DEMAND playback over packed and hot history (s3rver + dynalite + ffmpeg)', () => {
  let h: PlaybackHarness;
  let uploads: UploadSegment[];
  let boundaryMs: number;
  let playlistUrl: string;
  let dataKey: { keyId: string; key: Buffer };

  beforeAll(async () => {
    h = await PlaybackHarness.start({ targetDurationSeconds: 2, packing: { periodMs: HOUR_MS, graceMs: 60_000, hotIndexDays: 3 } });
    boundaryMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    const media = await makeMediaSegments({ seconds: SECONDS, epochMs: boundaryMs - 6000 });
    dataKey = await h.putDataKey(CAMERA);
    uploads = h.encrypt(CAMERA, media, { seq: 700, discSeq: 2, ...dataKey });
    for (const u of uploads) await h.putSegment(u);
    await h.settle();
    const report = await h.packer.packHour({ deviceId: CAMERA, hourMs: boundaryMs - HOUR_MS });
    expect(report).toMatchObject({ settled: true, deletedHot: 6, unpackable: [] });
    // A session lists the packs made before it was issued (whole seconds): start the sessions a second on.
    h.clockOffsetMs += 1000;
    ({ playlistUrl } = await h.session(CAMERA, {
      mode: 'ON_DEMAND',
      start: new Date(boundaryMs - 6000).toISOString(),
      end: new Date(boundaryMs + 6000).toISOString(),
    }));
  }, 120_000);
  afterAll(async () => h?.close());

  it('lists the packed hour as byte ranges of its pack (version 4) and the hot hour as segments, each once, in order', async () => {
    const text = await h.text(playlistUrl);
    expect(text).toContain('#EXT-X-VERSION:4');
    const pl = parse(text) as types.MediaPlaylist;
    expect(pl.segments).toHaveLength(SECONDS);
    let offset = 0;
    pl.segments.forEach((s, i) => {
      const u = uploads[i]!;
      expect(s.programDateTime?.getTime()).toBe(u.meta.startMs);
      expect(Buffer.from(s.key!.iv!).toString('hex')).toBe(u.meta.iv);
      if (i < 6) {
        expect(s.uri).toMatch(/^packs\/continuous-\d+-0-[0-9a-f]{16}\.ts$/);
        expect(s.byterange).toEqual({ length: u.body.length, offset });
        offset += u.body.length;
      } else {
        expect(s.uri).toBe(`segments/${u.meta.startMs}-${u.meta.seq}.ts`);
        expect(s.byterange).toBeUndefined();
      }
    });
  });

  it('ffmpeg decodes the whole range, across the pack and the hot hour, with -v warning printing nothing', async () => {
    const { stderr } = await ffmpegRun(['-nostdin', '-v', 'warning', '-i', playlistUrl, '-map', '0', '-f', 'null', '-']);
    expect(stderr).toBe('');
    expect((await countVideoFrames(playlistUrl)).frames).toBe(SECONDS * 10);
  });

  it('the pack route redirects a segment range to a GET presigned for exactly that range, which returns the bytes the camera uploaded', async () => {
    const pl = parse(await h.text(playlistUrl)) as types.MediaPlaylist;
    const base = playlistUrl.replace(/playlist\.m3u8$/, '');
    const s = pl.segments[3]!;
    const range = `bytes=${s.byterange!.offset}-${s.byterange!.offset + s.byterange!.length - 1}`;
    const res = await fetch(`${base}${s.uri}`, { redirect: 'manual', headers: { range } });
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = res.headers.get('location')!;
    expect(location).toMatch(/X-Amz-SignedHeaders=host%3Brange/);
    const got = await fetch(location, { headers: { range } });
    expect(got.status).toBe(206);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(uploads[3]!.body))).toBe(true);
    // (s3rver checks no signature; test/local/s3-front shows a signed range refusing any other.)
  });

  it('the pack route refuses a request without a range, a range past the pack, and footage outside the session', async () => {
    const pl = parse(await h.text(playlistUrl)) as types.MediaPlaylist;
    const packUri = pl.segments[0]!.uri;
    const base = playlistUrl.replace(/playlist\.m3u8$/, '');
    const noRange = await fetch(`${base}${packUri}`, { redirect: 'manual' });
    expect(noRange.status).toBe(416);
    expect(((await noRange.json()) as { error: { code: string } }).error.code).toBe('range_required');
    const past = await fetch(`${base}${packUri}`, { redirect: 'manual', headers: { range: 'bytes=0-999999999' } });
    expect(past.status).toBe(416);
    // A session for the last two seconds of the packed hour may fetch those ranges of the pack, not the first one.
    const narrow = await h.session(CAMERA, { mode: 'ON_DEMAND', start: new Date(boundaryMs - 2000).toISOString(), end: new Date(boundaryMs).toISOString() });
    const narrowBase = narrow.playlistUrl.replace(/playlist\.m3u8$/, '');
    const first = pl.segments[0]!.byterange!;
    const denied = await fetch(`${narrowBase}${packUri}`, {
      redirect: 'manual',
      headers: { range: `bytes=${first.offset}-${first.offset + first.length - 1}` },
    });
    expect(denied.status).toBe(404);
    const last = pl.segments[5]!.byterange!;
    const allowed = await fetch(`${narrowBase}${packUri}`, { redirect: 'manual', headers: { range: `bytes=${last.offset}-${last.offset + last.length - 1}` } });
    expect(allowed.status).toBe(302);
    // A pack name that is not indexed for this camera.
    const forged = await fetch(`${base}${packUri.replace(/-[0-9a-f]{16}\.ts$/, '-0123456789abcdef.ts')}`, {
      redirect: 'manual',
      headers: { range: 'bytes=0-9' },
    });
    expect(forged.status).toBe(404);
    // Another camera's session asking for this camera's pack: its own camera has no such pack.
    const other = await h.session('cam-other', {
      mode: 'ON_DEMAND',
      start: new Date(boundaryMs - 6000).toISOString(),
      end: new Date(boundaryMs + 6000).toISOString(),
    });
    const cross = await fetch(`${other.playlistUrl.replace(/playlist\.m3u8$/, '')}${packUri}`, {
      redirect: 'manual',
      headers: { range: `bytes=${first.offset}-${first.offset + first.length - 1}` },
    });
    expect(cross.status).toBe(404);
    // Names that are not pack names, an open-ended or multi-range Range.
    for (const name of ['..%2F..%2Fkeys%2Fx.ts', 'continuous-1-0-xyz.ts', packUri.slice(6).toUpperCase()]) {
      expect((await fetch(`${base}packs/${name}`, { redirect: 'manual', headers: { range: 'bytes=0-9' } })).status, name).toBe(404);
    }
    for (const range of ['bytes=0-', 'bytes=0-9,20-29', 'bytes=9-0', 'items=0-9']) {
      expect((await fetch(`${base}${packUri}`, { redirect: 'manual', headers: { range } })).status, range).toBe(416);
    }
  });

  it("the key route serves a packed segment's key once TTL has removed the hour's segment items (the pack item names it)", async () => {
    // What TTL does a few days after packing: the packed hour's seg# items go.
    const ddb = h.dynamo.createClient();
    const items = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#pk': IndexTable.PARTITION_KEY, '#sk': IndexTable.SORT_KEY },
        ExpressionAttributeValues: {
          ':pk': { S: CAMERA },
          ':lo': { S: `${SortKeyPrefix.SEGMENT}${padMs(boundaryMs - HOUR_MS)}` },
          ':hi': { S: `${SortKeyPrefix.SEGMENT}${padMs(boundaryMs - 1)}` },
        },
      }),
    );
    expect(items.Items).toHaveLength(6);
    for (const it of items.Items!)
      await ddb.send(
        new DeleteItemCommand({
          TableName: TABLE,
          Key: { [IndexTable.PARTITION_KEY]: it[IndexTable.PARTITION_KEY]!, [IndexTable.SORT_KEY]: it[IndexTable.SORT_KEY]! },
        }),
      );
    ddb.destroy();
    // A session over the packed hour only: its playlist and its key come from the pack item.
    const packed = await h.session(CAMERA, { mode: 'ON_DEMAND', start: new Date(boundaryMs - 6000).toISOString(), end: new Date(boundaryMs).toISOString() });
    const pl = parse(await h.text(packed.playlistUrl)) as types.MediaPlaylist;
    expect(pl.segments.map((s) => s.byterange?.length)).toEqual(uploads.slice(0, 6).map((u) => u.body.length));
    const keyUri = pl.segments[0]!.key!.uri!;
    expect(keyUri).toBe(`keys/${dataKey.keyId}`);
    const res = await fetch(`${packed.playlistUrl.replace(/playlist\.m3u8$/, '')}${keyUri}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(dataKey.key)).toBe(true);
  });
});
