import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_RECORD_VERSION, imageKey, signSessionToken, SessionMode } from '../../../contract/index.ts';
import { makeJpeg } from '../../support/jpeg-fixture.ts';
import { BUCKET, PlaybackHarness } from '../support/playback-harness.ts';

/**
 * Pictures over HTTP as a player (or someone holding a leaked URL) would ask for them:
 * stored encrypted (the bucket holds no JPEG), served decrypted by the keys handler only to
 * a session of the picture's camera whose range covers its time; the timeline lists them
 * for events and at intervals with URLs that work as they are.
 */
const CAM = 'cam-pics';
const OTHER = 'cam-other';
const HOUR = 3_600_000;
let h: PlaybackHarness;
let now: number;
let jpeg: Buffer;
const names: Record<string, string> = {};
const iso = (ms: number) => new Date(ms).toISOString();
const get = (url: string) => fetch(url, { redirect: 'manual' });
const imageUrl = (playlistUrl: string, name: string) => `${playlistUrl.replace(/\/playlist\.m3u8$/, '')}/images/${name}.jpg`;
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

beforeAll(async () => {
  h = await PlaybackHarness.start({ targetDurationSeconds: 2, liveWindowSegments: 5 });
  now = Date.now();
  jpeg = makeJpeg();
  const key = await h.putDataKey(CAM);
  const otherKey = await h.putDataKey(OTHER);
  names.twoHoursAgo = await h.putImage(CAM, now - 2 * HOUR, jpeg, key, { imageId: 'aa01' });
  names.tenHoursAgo = await h.putImage(CAM, now - 10 * HOUR, jpeg, key, { imageId: 'aa02' });
  names.other = await h.putImage(OTHER, now - 2 * HOUR + 5000, jpeg, otherKey, { imageId: 'bb01' });
  // A strip: one picture every 20 s over 5 minutes, and an event with its own picture.
  for (let i = 0; i < 15; i++) await h.putImage(CAM, now - 3 * HOUR + i * 20_000, jpeg, key, { imageId: `st${i}` });
  await h.putEvent({
    version: EVENT_RECORD_VERSION,
    deviceId: CAM,
    eventId: 'door-1',
    type: 'doorbell',
    startMs: now - 3 * HOUR + 95_000,
    endMs: now - 3 * HOUR + 130_000,
  });
  names.event = await h.putImage(CAM, now - 3 * HOUR + 95_500, jpeg, key, { imageId: 'ev1', eventId: 'door-1' });
  await h.settle();
}, 60_000);
afterAll(async () => h?.close());

describe('pictures at rest', () => {
  it('the stored object is not a JPEG (no SOI marker, no JPEG bytes); the served one is the very JPEG the camera took', async () => {
    const stored = await h.s3Client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: imageKey({ deviceId: CAM, tsMs: now - 2 * HOUR, imageId: 'aa01', event: false }) }),
    );
    const bytes = Buffer.from(await stored.Body!.transformToByteArray());
    expect(bytes.subarray(0, 2).equals(Buffer.of(0xff, 0xd8))).toBe(false);
    expect(bytes.includes(jpeg.subarray(0, 32))).toBe(false);
    const { playlistUrl } = await h.session(CAM, { mode: 'ON_DEMAND', start: iso(now - 3 * HOUR), end: iso(now - HOUR) });
    const res = await get(imageUrl(playlistUrl, names.twoHoursAgo!));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('private, max-age=86400, immutable');
    expect(Buffer.from(await res.arrayBuffer()).equals(jpeg)).toBe(true);
  });
});

describe('only a session whose camera and range cover the picture gets it', () => {
  it('an ON_DEMAND session does not reach a picture outside its range (404), though the camera is right', async () => {
    const { playlistUrl } = await h.session(CAM, { mode: 'ON_DEMAND', start: iso(now - 3 * HOUR), end: iso(now - HOUR) });
    const res = await get(imageUrl(playlistUrl, names.tenHoursAgo!));
    expect(res.status).toBe(404);
    expect(await code(res)).toBe('image_not_found');
  });

  it("a session of another camera does not reach this camera's picture, even inside its range", async () => {
    const { playlistUrl } = await h.session(OTHER, { mode: 'ON_DEMAND', start: iso(now - 3 * HOUR), end: iso(now - HOUR) });
    expect((await get(imageUrl(playlistUrl, names.twoHoursAgo!))).status).toBe(404);
    // Its own picture, same range: served.
    expect((await get(imageUrl(playlistUrl, names.other!))).status).toBe(200);
  });

  it('a LIVE session reaches only from its issue time minus the live window: not 2 h back', async () => {
    const { playlistUrl } = await h.session(CAM, { mode: 'LIVE', expiresInSeconds: 43_200 });
    expect((await get(imageUrl(playlistUrl, names.twoHoursAgo!))).status).toBe(404);
  });

  it('a forged token (signed with another secret), an altered one and an expired one are refused', async () => {
    const forged = signSessionToken(
      {
        deviceId: CAM,
        mode: SessionMode.ON_DEMAND,
        startMs: now - 3 * HOUR,
        endMs: now - HOUR,
        issuedAtSeconds: Math.floor(now / 1000),
        expiresAtSeconds: Math.floor(now / 1000) + 3600,
      },
      { version: 'test1', secret: randomBytes(32) },
    );
    const res = await get(`${h.baseUrl}/v1/sessions/${forged}/images/${names.twoHoursAgo}.jpg`);
    expect(res.status).toBe(403);
    const { playlistUrl } = await h.session(CAM, { mode: 'ON_DEMAND', start: iso(now - 3 * HOUR), end: iso(now - HOUR) });
    const token = /\/sessions\/([^/]+)\//.exec(playlistUrl)![1]!;
    const altered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect([401, 403]).toContain((await get(`${h.baseUrl}/v1/sessions/${altered}/images/${names.twoHoursAgo}.jpg`)).status);
    const short = await h.session(CAM, { mode: 'ON_DEMAND', start: iso(now - 3 * HOUR), end: iso(now - HOUR), expiresInSeconds: 300 });
    h.clockOffsetMs = 301_000;
    try {
      expect([401, 403]).toContain((await get(imageUrl(short.playlistUrl, names.twoHoursAgo!))).status);
    } finally {
      h.clockOffsetMs = 0;
    }
  });

  it('a name that is not a picture name, or a picture that does not exist, is 404 with a clear code', async () => {
    const { playlistUrl } = await h.session(CAM, { mode: 'ON_DEMAND', start: iso(now - 3 * HOUR), end: iso(now - HOUR) });
    expect(await code(await get(imageUrl(playlistUrl, 'latest')))).toBe('image_not_found');
    expect(await code(await get(imageUrl(playlistUrl, '%2E%2E%2Fkeys%2Fx')))).toBe('image_not_found');
    expect((await get(imageUrl(playlistUrl, `${now - 2 * HOUR}-nope`))).status).toBe(404);
  });
});

describe('the indexer', () => {
  it('skips (and says why) a picture whose metadata disagrees with its key, or that is too small to be AES-128 ciphertext', async () => {
    const key = imageKey({ deviceId: CAM, tsMs: now - 5 * HOUR, imageId: 'bad1', event: false });
    await h.putObject(key, randomBytes(64), 'application/octet-stream', {
      'ts-ms': String(now - 5 * HOUR + 1),
      'key-id': 'ab'.repeat(16),
      iv: 'cd'.repeat(16),
    });
    const tiny = imageKey({ deviceId: CAM, tsMs: now - 5 * HOUR, imageId: 'bad2', event: false });
    await h.putObject(tiny, randomBytes(5), 'application/octet-stream', { 'ts-ms': String(now - 5 * HOUR), 'key-id': 'ab'.repeat(16), iv: 'cd'.repeat(16) });
    await h.settle();
    const skipped = h.reports.flatMap((r) => r.skipped);
    expect(skipped.find((s) => s.key === key)?.reason).toMatch(/ts-ms .* disagrees with the key/);
    expect(skipped.find((s) => s.key === tiny)?.reason).toMatch(/AES-128-CBC/);
  });
});

describe('the timeline lists pictures for events and at intervals', () => {
  it('a strip (at most one per imageEverySeconds) and the event its picture, with URLs a browser can load as they are', async () => {
    const start = now - 3 * HOUR;
    const res = await fetch(`${h.baseUrl}/v1/cameras/${CAM}/timeline?start=${iso(start)}&end=${iso(start + 10 * 60_000)}&imageEverySeconds=60`);
    expect(res.status).toBe(200);
    const t = (await res.json()) as {
      images: { id: string; atMs: number; url: string }[];
      events: { eventId: string; image?: { id: string; url: string } }[];
      imagesExpireAt: string;
    };
    // 15 pictures 20 s apart over 280 s, plus the event's: one per minute slot = 5.
    expect(t.images.map((i) => Math.floor((i.atMs - start) / 60_000))).toEqual([0, 1, 2, 3, 4]);
    const ev = t.events.find((e) => e.eventId === 'door-1');
    expect(ev?.image?.id).toBe(names.event);
    for (const url of [t.images[2]!.url, ev!.image!.url]) {
      const img = await get(url);
      expect(img.status, url).toBe(200);
      expect(Buffer.from(await img.arrayBuffer()).equals(jpeg)).toBe(true);
    }
    expect(Date.parse(t.imagesExpireAt)).toBeGreaterThan(Date.now());
    // The timeline's URLs reach that page's range only: not the picture 10 h back.
    const token = /\/sessions\/([^/]+)\//.exec(t.images[0]!.url)![1]!;
    expect((await get(`${h.baseUrl}/v1/sessions/${token}/images/${names.tenHoursAgo}.jpg`)).status).toBe(404);
  });

  it('a bad imageEverySeconds is a 400 naming the field', async () => {
    const res = await fetch(`${h.baseUrl}/v1/cameras/${CAM}/timeline?start=${iso(now - HOUR)}&end=${iso(now)}&imageEverySeconds=0`);
    expect(res.status).toBe(400);
    expect(await code(res)).toBe('bad_image_interval');
  });
});
