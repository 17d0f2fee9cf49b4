import { createDecipheriv } from 'node:crypto';
import { JPEG_CONTENT_TYPE, MAX_IMAGE_BYTES, jpegProblem, parseImageName, type SessionClaims } from '../../contract/index.ts';
import type { ImageIndex } from '../images/image-index.ts';
import type { PlaylistSettings } from '../playlist/build-session-playlist.ts';
import { reaches, sessionReach } from '../playlist/session-reach.ts';
import type { HttpResult } from '../shared/http.ts';
import type { Log, MetricsSink } from '../shared/log.ts';
import { NotFoundError, PlaybackError } from '../shared/playback-error.ts';
import type { ObjectStore } from '../storage/object-store.ts';

/**
 * A picture never changes (write-once, its name is unique): a browser may keep it for the
 * life of the session URL. `private`: the URL carries a session token, so no shared cache
 * keeps the decrypted picture.
 */
export const IMAGE_CACHE_CONTROL = 'private, max-age=86400, immutable';

export interface ImageRouteDeps {
  images: ImageIndex;
  store: ObjectStore;
  settings: PlaylistSettings;
  /** The camera's data key for `keyId`, unwrapped and binding-checked (the key route's own). */
  dataKey: (deviceId: string, keyId: string) => Promise<Uint8Array>;
  log: Log;
  metrics: MetricsSink;
}

/**
 * GET /v1/sessions/{token}/images/{tsMs}-{imageId}.jpg: a picture of the session's camera
 * taken within what the session reaches (the same range its playlist may list, see
 * session-reach.ts), decrypted here with the camera's data key, served as image/jpeg.
 * Another camera's picture is not found on this camera's partition; one outside the
 * range is refused without a read.
 */
export async function getImage(deps: ImageRouteDeps, claims: SessionClaims, name: string): Promise<HttpResult> {
  const parsed = name.endsWith('.jpg') ? parseImageName(name.slice(0, -'.jpg'.length)) : undefined;
  if (!parsed) throw new NotFoundError('image_not_found', 'a picture name is {tsMs}-{imageId}.jpg as the timeline lists it');
  if (!reaches(sessionReach(claims, deps.settings), parsed.tsMs)) {
    deps.metrics.count('ImagesOutOfReach');
    throw new NotFoundError('image_not_found', "no picture of this session's range has that name: ask for a session that covers its time");
  }
  const item = await deps.images.getImage(claims.deviceId, parsed.tsMs, parsed.imageId);
  if (!item) throw new NotFoundError('image_not_found', `no picture ${name} for this session's camera`);
  const stored = await deps.store.getBytes(item.objectKey, MAX_IMAGE_BYTES + 16);
  if (!stored) throw new NotFoundError('image_not_found', `picture ${name} has expired`);
  const key = await deps.dataKey(claims.deviceId, item.keyId);
  let jpeg: Buffer;
  try {
    const d = createDecipheriv('aes-128-cbc', key, Buffer.from(item.iv, 'hex'));
    jpeg = Buffer.concat([d.update(stored), d.final()]);
  } catch (cause) {
    deps.log.warn('picture does not decrypt with its key', { objectKey: item.objectKey });
    throw new PlaybackError(502, 'image_unreadable', `picture ${name} does not decrypt with the key its camera named`, { cause });
  }
  const problem = jpegProblem(jpeg);
  if (problem) {
    deps.log.warn('picture decrypts to something that is not a JPEG', { objectKey: item.objectKey, problem });
    throw new PlaybackError(502, 'image_unreadable', `picture ${name} is not a JPEG once decrypted (${problem})`);
  }
  deps.metrics.count('ImagesServed');
  return {
    statusCode: 200,
    headers: { 'content-type': JPEG_CONTENT_TYPE, 'cache-control': IMAGE_CACHE_CONTROL, 'content-length': String(jpeg.length) },
    body: jpeg.toString('base64'),
    isBase64Encoded: true,
  };
}
