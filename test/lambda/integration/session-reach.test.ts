import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  segmentKey,
  SEGMENT_CONTENT_TYPE,
  toS3Metadata,
  WRAPPED_KEY_CONTENT_TYPE,
  wrapDataKey,
  wrappedKeyKey,
  type SegmentMetadata,
} from '../../../contract/index.ts';
import { BUCKET, PlaybackHarness } from '../support/playback-harness.ts';

/**
 * What a session token reaches, asked over HTTP as a player (or someone holding a leaked
 * playlist URL) would: segment redirects and keys, per mode. A token reaches exactly what
 * its playlist can list; a key is served only if a segment in that reach uses it, only
 * with `Cache-Control: no-store`, and only if it was wrapped for that camera and key id.
 */
const CAM = 'cam-reach';
const HOUR = 3_600_000;
let h: PlaybackHarness;
let now: number;
const keys: Record<string, { keyId: string; key: Buffer }> = {};
const segs: Record<string, SegmentMetadata> = {};

async function putSegment(name: string, startMs: number, seq: number, keyId: string, deviceId = CAM): Promise<void> {
  const meta: SegmentMetadata = {
    startMs,
    durationMs: 2000,
    seq,
    discSeq: 0,
    keyId,
    iv: randomBytes(16).toString('hex'),
    codecs: 'avc1.64001f',
    width: 640,
    height: 360,
  };
  segs[name] = meta;
  await h.putObject(segmentKey({ deviceId, startMs, seq }), randomBytes(188), SEGMENT_CONTENT_TYPE, toS3Metadata(meta));
}

const get = (url: string) => fetch(url, { redirect: 'manual' });
const base = (playlistUrl: string) => playlistUrl.replace(/\/playlist\.m3u8$/, '');
const segUrl = (playlistUrl: string, m: SegmentMetadata) => `${base(playlistUrl)}/segments/${m.startMs}-${m.seq}.ts`;
const keyUrl = (playlistUrl: string, keyId: string) => `${base(playlistUrl)}/keys/${keyId}`;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  h = await PlaybackHarness.start({ targetDurationSeconds: 2, liveWindowSegments: 5 });
  now = Date.now();
  for (const name of ['old', 'mid', 'recent', 'live']) keys[name] = await h.putDataKey(CAM);
  await putSegment('day2ago', now - 30 * HOUR, 1, keys.old!.keyId);
  await putSegment('day2agoPlus25h', now - 5 * HOUR, 2, keys.mid!.keyId);
  await putSegment('elevenHoursAgo', now - 11 * HOUR, 3, keys.recent!.keyId);
  await putSegment('justNow', now - 4000, 4, keys.live!.keyId);
  await h.settle();
});
afterAll(async () => h?.close());

describe('LIVE: from the issue time minus the live window to the expiry', () => {
  it('reaches the segment and key the live window lists, with Cache-Control: no-store on the key', async () => {
    const { playlistUrl } = await h.session(CAM, { mode: 'LIVE', expiresInSeconds: 43_200 });
    expect((await get(segUrl(playlistUrl, segs.justNow!))).status).toBe(302);
    const key = await get(keyUrl(playlistUrl, keys.live!.keyId));
    expect(key.status).toBe(200);
    expect(key.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await key.arrayBuffer())).toEqual(keys.live!.key);
  });

  it('does not reach 11 h back, though the token lives 12 h (segment 404, key 404)', async () => {
    const { playlistUrl } = await h.session(CAM, { mode: 'LIVE', expiresInSeconds: 43_200 });
    expect((await get(segUrl(playlistUrl, segs.elevenHoursAgo!))).status).toBe(404);
    const key = await get(keyUrl(playlistUrl, keys.recent!.keyId));
    expect(key.status).toBe(404);
    expect(((await key.json()) as { error: { code: string } }).error.code).toBe('key_not_found');
  });
});

describe('LIVE_REPLAY without an end: what its playlist can list, start to start + 24 h', () => {
  it('reaches the first day from its start, not the segment 25 h later, nor its key', async () => {
    const { playlistUrl } = await h.session(CAM, { mode: 'LIVE_REPLAY', start: iso(now - 30 * HOUR - 1000) });
    expect((await get(segUrl(playlistUrl, segs.day2ago!))).status).toBe(302);
    expect((await get(keyUrl(playlistUrl, keys.old!.keyId))).status).toBe(200);
    expect((await get(segUrl(playlistUrl, segs.day2agoPlus25h!))).status).toBe(404);
    expect((await get(keyUrl(playlistUrl, keys.mid!.keyId))).status).toBe(404);
    expect((await get(keyUrl(playlistUrl, keys.live!.keyId))).status).toBe(404);
  });
});

describe('ON_DEMAND: its range', () => {
  it("serves the keys its segments use and no other key of the camera's", async () => {
    const { playlistUrl } = await h.session(CAM, { mode: 'ON_DEMAND', start: iso(now - 12 * HOUR), end: iso(now - 10 * HOUR) });
    expect((await get(keyUrl(playlistUrl, keys.recent!.keyId))).status).toBe(200);
    for (const other of ['old', 'mid', 'live']) expect((await get(keyUrl(playlistUrl, keys[other]!.keyId))).status, other).toBe(404);
  });
});

describe("wrapped keys are bound to their camera: another camera's key uploaded under this camera's prefix is refused", () => {
  it("camera A cannot have the key route unwrap camera B's key by copying B's wrapped key object into keys/A/", async () => {
    const victim = await h.putDataKey('cam-victim');
    // Taken from the victim's spool or a bucket listing, PUT by the attacker's camera under its own prefix.
    const stolen = await h.s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: wrappedKeyKey({ deviceId: 'cam-victim', keyId: victim.keyId }) }));
    await h.putObject(wrappedKeyKey({ deviceId: 'cam-attacker', keyId: victim.keyId }), await stolen.Body!.transformToByteArray(), WRAPPED_KEY_CONTENT_TYPE);
    await putSegment('attacker', now - 3000, 9, victim.keyId, 'cam-attacker');
    await h.settle();
    const { playlistUrl } = await h.session('cam-attacker', { mode: 'LIVE' });
    const res = await get(keyUrl(playlistUrl, victim.keyId));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('key_not_bound');
  });

  it('a key wrapped by the attacker for itself under its own id works as usual (the binding does not get in the way)', async () => {
    const keyId = randomBytes(16).toString('hex');
    const key = randomBytes(16);
    await h.putObject(
      wrappedKeyKey({ deviceId: 'cam-attacker', keyId }),
      wrapDataKey(h.wrapping.publicKey, key, { deviceId: 'cam-attacker', keyId }),
      WRAPPED_KEY_CONTENT_TYPE,
    );
    await putSegment('attacker2', now - 1000, 10, keyId, 'cam-attacker');
    await h.settle();
    const { playlistUrl } = await h.session('cam-attacker', { mode: 'LIVE' });
    const res = await get(keyUrl(playlistUrl, keyId));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(key);
  });

  it('a legacy unbound wrapped key is refused when the deployment set no cutoff', async () => {
    const keyId = randomBytes(16).toString('hex');
    const legacy = publicEncrypt({ key: h.wrapping.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(16));
    await h.putObject(wrappedKeyKey({ deviceId: CAM, keyId }), legacy, WRAPPED_KEY_CONTENT_TYPE);
    await putSegment('legacy', now - 2500, 11, keyId);
    await h.settle();
    const { playlistUrl } = await h.session(CAM, { mode: 'LIVE' });
    const res = await get(keyUrl(playlistUrl, keyId));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('key_unbound');
  });
});

describe('legacy unbound keys with a cutoff: only objects S3 stored before it', () => {
  it('serves a legacy key stored before the cutoff and refuses one stored after it', async () => {
    const cutoffMs = Date.now() + 60_000;
    const h2 = await PlaybackHarness.start({ targetDurationSeconds: 2, unboundKeysStoredBeforeMs: cutoffMs });
    try {
      const t = Date.now();
      const put = async (keyId: string, key: Buffer, seq: number) => {
        await h2.putObject(
          wrappedKeyKey({ deviceId: CAM, keyId }),
          publicEncrypt({ key: h2.wrapping.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key),
          WRAPPED_KEY_CONTENT_TYPE,
        );
        await h2.putObject(
          segmentKey({ deviceId: CAM, startMs: t - 3000 + seq, seq }),
          randomBytes(188),
          SEGMENT_CONTENT_TYPE,
          toS3Metadata({
            startMs: t - 3000 + seq,
            durationMs: 2000,
            seq,
            discSeq: 0,
            keyId,
            iv: '00'.repeat(16),
            codecs: 'avc1.64001f',
            width: 640,
            height: 360,
          }),
        );
      };
      const before = { keyId: randomBytes(16).toString('hex'), key: randomBytes(16) };
      await put(before.keyId, before.key, 1);
      await h2.settle();
      const { playlistUrl } = await h2.session(CAM, { mode: 'LIVE' });
      const ok = await get(keyUrl(playlistUrl, before.keyId));
      expect(ok.status).toBe(200);
      expect(Buffer.from(await ok.arrayBuffer())).toEqual(before.key);
      // Stored "after" the cutoff: the key route's clock and S3's LastModified are real time, so move the cutoff instead.
      const h3 = await PlaybackHarness.start({ targetDurationSeconds: 2, unboundKeysStoredBeforeMs: Date.now() - 60_000 });
      try {
        const after = { keyId: randomBytes(16).toString('hex'), key: randomBytes(16) };
        await h3.putObject(
          wrappedKeyKey({ deviceId: CAM, keyId: after.keyId }),
          publicEncrypt({ key: h3.wrapping.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, after.key),
          WRAPPED_KEY_CONTENT_TYPE,
        );
        await h3.putObject(
          segmentKey({ deviceId: CAM, startMs: t - 2000, seq: 5 }),
          randomBytes(188),
          SEGMENT_CONTENT_TYPE,
          toS3Metadata({
            startMs: t - 2000,
            durationMs: 2000,
            seq: 5,
            discSeq: 0,
            keyId: after.keyId,
            iv: '00'.repeat(16),
            codecs: 'avc1.64001f',
            width: 640,
            height: 360,
          }),
        );
        await h3.settle();
        const s3 = await h3.session(CAM, { mode: 'LIVE' });
        expect((await get(keyUrl(s3.playlistUrl, after.keyId))).status).toBe(403);
      } finally {
        await h3.close();
      }
    } finally {
      await h2.close();
    }
  });
});
