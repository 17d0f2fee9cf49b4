import { z } from 'zod';
import { ContractError } from './contract-error.ts';
import { assertDeviceId, DEVICE_ID_PATTERN, INIT_ID_PATTERN } from './ids.ts';

/**
 * Exported clips: written by the cloud only (no device role reaches the prefix), kept
 * until DELETE (no lifecycle rule covers it: recordings' retention never touches a clip),
 * SSE-KMS at rest. One folder per clip:
 *
 *   clips/{deviceId}/{clipId}/request.json    the request, written by POST (the clip exists from then on)
 *   clips/{deviceId}/{clipId}/clip.mp4        the MP4 (multipart upload: it appears whole, or not at all)
 *   clips/{deviceId}/{clipId}/manifest.json   written last: the clip is ready (camera, range, SHA-256s)
 *   clips/{deviceId}/{clipId}/error.json      or why the export failed
 *
 * A clip's state is which of these exist, so no table holds clip state.
 */
export const CLIPS_FOLDER = 'clips';
export const CLIP_CONTENT_TYPE = 'video/mp4';
/** The longest range one clip may cover. */
export const MAX_CLIP_RANGE_MS = 60 * 60 * 1000;
/** `{createdMs:13}-{8 hex}`: sorts by creation, unguessable enough to not collide. */
export const CLIP_ID_PATTERN = /^\d{13}-[0-9a-f]{8}$/;

export const ClipFile = { REQUEST: 'request.json', MP4: 'clip.mp4', MANIFEST: 'manifest.json', ERROR: 'error.json' } as const;
export type ClipFile = (typeof ClipFile)[keyof typeof ClipFile];

export const ClipState = { EXPORTING: 'EXPORTING', READY: 'READY', FAILED: 'FAILED' } as const;
export type ClipState = (typeof ClipState)[keyof typeof ClipState];

export function assertClipId(v: unknown): string {
  if (typeof v !== 'string' || !CLIP_ID_PATTERN.test(v))
    throw new ContractError(`invalid clip id ${JSON.stringify(String(v).slice(0, 60))}: clip ids look like 1764600000000-0a1b2c3d`);
  return v;
}

/** The folder of one camera's clips (list with this prefix). */
export const cameraClipsPrefix = (deviceId: string): string => `${CLIPS_FOLDER}/${assertDeviceId(deviceId)}/`;
export const clipObjectKey = (deviceId: string, clipId: string, file: ClipFile): string => `${cameraClipsPrefix(deviceId)}${assertClipId(clipId)}/${file}`;

/** The clip id and file of a key under cameraClipsPrefix, or undefined. */
export function parseClipObjectKey(deviceId: string, key: string): { clipId: string; file: ClipFile } | undefined {
  const prefix = cameraClipsPrefix(deviceId);
  if (!key.startsWith(prefix)) return undefined;
  const [clipId, file, ...rest] = key.slice(prefix.length).split('/');
  if (rest.length || !clipId || !CLIP_ID_PATTERN.test(clipId) || !Object.values(ClipFile).includes(file as ClipFile)) return undefined;
  return { clipId, file: file as ClipFile };
}

const ms = z.number().int().min(0);
const sha256 = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);

export const ClipRequestSchema = z.strictObject({
  version: z.literal(1),
  deviceId: z.string().regex(DEVICE_ID_PATTERN),
  clipId: z.string().regex(CLIP_ID_PATTERN),
  startMs: ms,
  endMs: ms,
  createdMs: ms,
});
export type ClipRequest = z.infer<typeof ClipRequestSchema>;

export const ClipManifestSchema = z.strictObject({
  version: z.literal(1),
  deviceId: z.string().regex(DEVICE_ID_PATTERN),
  clipId: z.string().regex(CLIP_ID_PATTERN),
  /** The range asked for. */
  requested: z.strictObject({ start: z.iso.datetime(), end: z.iso.datetime() }),
  /**
   * What the MP4 covers: from the keyframe at or before the requested start (at most one
   * GOP earlier; a clip cannot begin between keyframes) to the end of the last picture
   * shown before the requested end; shorter where the recording is.
   */
  covered: z.strictObject({ start: z.iso.datetime(), end: z.iso.datetime(), startMs: ms, endMs: ms }),
  clip: z.strictObject({
    objectKey: z.string(),
    contentType: z.literal(CLIP_CONTENT_TYPE),
    sizeBytes: z.number().int().min(0),
    /** Base64 SHA-256 of clip.mp4. */
    sha256,
    layout: z.string(),
    codecs: z.string(),
    durationMs: ms,
    discontinuities: z.number().int().min(0),
  }),
  /** Every source segment, in order, with the SHA-256 of its bytes as the camera uploaded them (encrypted). */
  segments: z.array(
    z.strictObject({
      startMs: ms,
      durationMs: ms,
      seq: z.number().int().min(0),
      discSeq: z.number().int().min(0),
      /** Where it was read: the hot object, or a byte range of a pack. */
      source: z.string(),
      /** Base64 SHA-256 of the bytes read (encrypted, as uploaded). */
      sha256,
      /** The index held the camera's own checksum for it, and these bytes matched it. */
      recorded: z.boolean(),
    }),
  ),
  /** fMP4 sources: the init sections (EXT-X-MAP) read, each with the SHA-256 of its bytes (its id is the first 16 bytes of it). */
  inits: z
    .array(
      z.strictObject({
        initId: z.string().regex(INIT_ID_PATTERN),
        /** The object read, `init/{deviceId}/{initId}.mp4`. */
        source: z.string(),
        sha256,
      }),
    )
    .optional(),
  createdMs: ms,
  readyMs: ms,
});
export type ClipManifest = z.infer<typeof ClipManifestSchema>;

export const ClipErrorSchema = z.strictObject({ version: z.literal(1), code: z.string(), message: z.string(), failedMs: ms });
export type ClipError = z.infer<typeof ClipErrorSchema>;
