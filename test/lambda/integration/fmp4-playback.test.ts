import { DeleteItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { parse, types } from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegRun, makeMediaSegments } from '../support/fixture-media.ts';
import { countVideoFrames } from '../../fixtures/video-judges.ts';
import { PlaybackHarness, TABLE, type UploadSegment } from '../support/playback-harness.ts';
import type { SessionAnswer } from '../../../lambda/api/routes/create-session.ts';
import type { MediaSegment } from '../../../device/media/media-segment.ts';

const CAMERA = 'cam-hevc';
const OTHER = 'cam-other';
const HOUR_MS = 3_600_000;
const SECONDS = 12;

/**
 * An H.265 camera's fMP4 segments (the device's own segmenter, libx265 input, AES-128)
 * through the cloud: the indexer takes hvc1 codecs, the container and the init id from
 * metadata; the first hour is packed (the packer concatenates .m4s segments, the init
 * section stays its own object), the second stays hot. The ON_DEMAND playlist names the
 * clear init section with EXT-X-MAP (version 6) and ffmpeg decodes it silently.
 */
describe('H.265 in fMP4 through indexer, packer, playlists and routes (s3rver + dynalite + ffmpeg)', () => {
  let h: PlaybackHarness;
  let media: MediaSegment[];
  let uploads: UploadSegment[];
  let boundaryMs: number;
  let answer: SessionAnswer;

  beforeAll(async () => {
    h = await PlaybackHarness.start({ targetDurationSeconds: 2, packing: { periodMs: HOUR_MS, graceMs: 60_000, hotIndexDays: 3 } });
    boundaryMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    media = await makeMediaSegments({ seconds: SECONDS, epochMs: boundaryMs - 6000, codec: 'hevc' });
    const dataKey = await h.putDataKey(CAMERA);
    uploads = h.encrypt(CAMERA, media, { seq: 40, discSeq: 1, ...dataKey });
    expect(await h.putInitSections(CAMERA, media)).toHaveLength(1);
    for (const u of uploads) await h.putSegment(u);
    await h.settle();
    expect(h.indexErrors).toEqual([]);
    const report = await h.packer.packHour({ deviceId: CAMERA, hourMs: boundaryMs - HOUR_MS });
    expect(report).toMatchObject({ settled: true, deletedHot: 6, unpackable: [] });
    h.clockOffsetMs += 1000;
    answer = await h.session(CAMERA, { mode: 'ON_DEMAND', start: new Date(boundaryMs - 6000).toISOString(), end: new Date(boundaryMs + 6000).toISOString() });
  }, 180_000);
  afterAll(async () => h?.close());

  it('the session answer carries the codec string, picture size and container before the player loads anything', () => {
    expect(media[0]!.codecs).toMatch(/^hvc1\.1\.6\.L\d+\.90,mp4a\.40\.2$/);
    expect(answer).toMatchObject({ codecs: media[0]!.codecs, resolution: { width: 128, height: 96 }, container: 'fmp4' });
  });

  it('the playlist is version 6 with one EXT-X-MAP of the clear init section before the first key; packed .m4s as byte ranges, hot ones as .m4s', async () => {
    const text = await h.text(answer.playlistUrl);
    expect(text).toContain('#EXT-X-VERSION:6');
    const lines = text.split('\n');
    const maps = lines.filter((l) => l.startsWith('#EXT-X-MAP'));
    expect(maps).toEqual([`#EXT-X-MAP:URI="init/${media[0]!.init!.id}.mp4"`]);
    expect(lines.findIndex((l) => l.startsWith('#EXT-X-MAP'))).toBeLessThan(lines.findIndex((l) => l.startsWith('#EXT-X-KEY')));
    const pl = parse(text) as types.MediaPlaylist;
    expect(pl.segments).toHaveLength(SECONDS);
    let offset = 0;
    pl.segments.forEach((s, i) => {
      const u = uploads[i]!;
      expect(s.discontinuity ?? false).toBe(false);
      if (i < 6) {
        expect(s.uri).toMatch(/^packs\/continuous-\d+-0-[0-9a-f]{16}\.m4s$/); // named for its container: players guess from the name
        expect(s.byterange).toEqual({ length: u.body.length, offset });
        offset += u.body.length;
      } else {
        expect(s.uri).toBe(`segments/${u.meta.startMs}-${u.meta.seq}.m4s`);
      }
    });
  });

  it('ffmpeg decodes the whole range (pack and hot, one init section) with -v warning printing nothing, every picture', async () => {
    const { stderr } = await ffmpegRun(['-nostdin', '-v', 'warning', '-i', answer.playlistUrl, '-map', '0', '-f', 'null', '-']);
    expect(stderr).toBe('');
    const stream = await countVideoFrames(answer.playlistUrl);
    expect(stream.codec_name).toBe('hevc');
    expect(stream.frames).toBe(SECONDS * 10);
  });

  it('once the segment items of packed hours have expired (TTL), a session over packed history still answers its codecs, size and container', async () => {
    // The second hour is packed too: the camera's whole history is packs.
    expect(await h.packer.packHour({ deviceId: CAMERA, hourMs: boundaryMs })).toMatchObject({ settled: true, deletedHot: 6, unpackable: [] });
    const ddb = h.dynamo.createClient();
    const items = await ddb.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :seg)',
        ExpressionAttributeNames: { '#pk': 'deviceId', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': { S: CAMERA }, ':seg': { S: 'seg#' } },
      }),
    );
    const packed = items.Items ?? [];
    expect(packed).toHaveLength(SECONDS);
    // What DynamoDB's TTL does to segment items a few days after their hour is packed.
    for (const it of packed) await ddb.send(new DeleteItemCommand({ TableName: TABLE, Key: { deviceId: it.deviceId!, sk: it.sk! } }));
    const onlyPacked = await h.session(CAMERA, {
      mode: 'ON_DEMAND',
      start: new Date(boundaryMs - 6000).toISOString(),
      end: new Date(boundaryMs).toISOString(),
    });
    expect(onlyPacked).toMatchObject({ codecs: media[0]!.codecs, resolution: { width: 128, height: 96 }, container: 'fmp4' });
    const text = await h.text(onlyPacked.playlistUrl);
    expect(text.match(/#EXT-X-BYTERANGE/g)).toHaveLength(6);
  });

  it('the init route serves the init section of the session camera only', async () => {
    const base = answer.playlistUrl.replace(/playlist\.m3u8$/, '');
    const name = `${media[0]!.init!.id}.mp4`;
    const res = await fetch(`${base}init/${name}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const body = Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer());
    expect(body.equals(Buffer.from(media[0]!.init!.bytes))).toBe(true);
    expect((await fetch(`${base}init/not-an-id.mp4`, { redirect: 'manual' })).status).toBe(404);
    // Another camera's session names the same init id under its own camera: nothing there.
    const other = await h.session(OTHER, {
      mode: 'ON_DEMAND',
      start: new Date(boundaryMs - 6000).toISOString(),
      end: new Date(boundaryMs + 6000).toISOString(),
    });
    expect(other.codecs).toBeUndefined();
    const foreign = await fetch(`${other.playlistUrl.replace(/playlist\.m3u8$/, '')}init/${name}`, { redirect: 'manual' });
    expect(foreign.status).toBe(302);
    expect(foreign.headers.get('location')).toContain(`/init/${OTHER}/`);
    expect((await fetch(foreign.headers.get('location')!)).status).toBe(404);
  });
});
