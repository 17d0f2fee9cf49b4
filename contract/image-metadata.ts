import { ContractError } from './contract-error.ts';
import { assertEventId, assertKeyId } from './ids.ts';
import { IndexTable, SortKeyPrefix, padMs } from './index-table.ts';
import { ttlFor } from './index-item.ts';

/**
 * A picture (a JPEG the camera took) is stored like a segment: AES-128-CBC with PKCS#7
 * under the camera's current data key and an IV of its own, so the bucket holds nothing
 * viewable. Its S3 user metadata (`x-amz-meta-{name}`) says how to open it; the indexer
 * reads it back with HeadObject.
 */
export const ImageMeta = {
  /** UTC ms the picture shows. */
  TS_MS: 'ts-ms',
  KEY_ID: 'key-id',
  /** AES-128-CBC IV, 32 lowercase hex digits. */
  IV: 'iv',
  /** Set when the picture was taken for (or during) an event. */
  EVENT_ID: 'event-id',
} as const;

/** The stored object is ciphertext, not a JPEG: it says so. */
export const IMAGE_CONTENT_TYPE = 'application/octet-stream';
/** What the cloud serves once decrypted. */
export const JPEG_CONTENT_TYPE = 'image/jpeg';
/** The largest picture a camera may send (plain bytes): a 1080p JPEG at high quality fits. */
export const MAX_IMAGE_BYTES = 1024 * 1024;

export interface ImageMetadata {
  tsMs: number;
  keyId: string;
  iv: string;
  eventId?: string;
}

const IV_RE = /^[0-9a-f]{32}$/;

/** The S3 user metadata of a picture; throws ContractError (listing every problem) when a field is out of range. */
export function toImageS3Metadata(m: ImageMetadata): Record<string, string> {
  const meta: Record<string, string> = { [ImageMeta.TS_MS]: String(m.tsMs), [ImageMeta.KEY_ID]: m.keyId, [ImageMeta.IV]: m.iv };
  if (m.eventId !== undefined) meta[ImageMeta.EVENT_ID] = m.eventId;
  parseImageMetadata(meta); // what the device writes is exactly what the indexer accepts
  return meta;
}

/** Reads and checks a picture's metadata as HeadObject returns it; lists every problem at once. */
export function parseImageMetadata(meta: Record<string, string | undefined> | undefined): ImageMetadata {
  const m = meta ?? {};
  const problems: string[] = [];
  const ts = m[ImageMeta.TS_MS];
  if (ts === undefined || !/^\d{1,15}$/.test(ts) || Number(ts) > 253_402_300_799_999)
    problems.push(`${ImageMeta.TS_MS}=${JSON.stringify((ts ?? '').slice(0, 40))} must be UTC ms (a whole number)`);
  const keyId = m[ImageMeta.KEY_ID] ?? '';
  try {
    assertKeyId(keyId);
  } catch (e) {
    problems.push((e as Error).message);
  }
  const iv = m[ImageMeta.IV] ?? '';
  if (!IV_RE.test(iv)) problems.push(`${ImageMeta.IV} must be 32 lowercase hex digits`);
  const eventId = m[ImageMeta.EVENT_ID];
  if (eventId !== undefined) {
    try {
      assertEventId(eventId);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length) throw new ContractError(`bad picture metadata: ${problems.join('; ')}`);
  return { tsMs: Number(ts), keyId, iv, ...(eventId !== undefined ? { eventId } : {}) };
}

/**
 * JPEG framing (ITU-T T.81 B.1.1.2): a file starts with SOI (FF D8) followed by a marker
 * (FF xx), and ends with EOI (FF D9). Encoders may pad after EOI with zeros, so trailing
 * 0x00 bytes (at most 16) are allowed. Returns what is wrong, or undefined for a JPEG.
 */
export function jpegProblem(bytes: Uint8Array, maxBytes = MAX_IMAGE_BYTES): string | undefined {
  if (bytes.byteLength === 0) return 'the picture is empty: send the JPEG bytes';
  if (bytes.byteLength > maxBytes)
    return `the picture is ${bytes.byteLength} bytes, over the limit of ${maxBytes}: send a smaller JPEG (lower quality or resolution)`;
  if (bytes.byteLength < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff)
    return 'not a JPEG: it does not start with the SOI marker (FF D8 FF); send a JPEG (baseline or progressive), not PNG or raw pixels';
  let end = bytes.byteLength;
  while (end > 2 && bytes[end - 1] === 0x00 && bytes.byteLength - end < 16) end--;
  if (bytes[end - 2] !== 0xff || bytes[end - 1] !== 0xd9) return 'the JPEG is cut short: it does not end with the EOI marker (FF D9); send the whole file';
  return undefined;
}

/**
 * One picture in the index: `img#{tsMs:13}#{imageId}`. A Query over a time range reads a
 * camera's pictures; the item names the object and how to decrypt it, so the picture route
 * needs no HeadObject.
 */
export interface ImageItem {
  deviceId: string;
  sk: string;
  tsMs: number;
  imageId: string;
  objectKey: string;
  keyId: string;
  iv: string;
  sizeBytes: number;
  eventId?: string;
  ttl: number;
}

export const imageSortKey = (tsMs: number, imageId: string): string => `${SortKeyPrefix.IMAGE}${padMs(tsMs)}#${imageId}`;

/** The index item of a picture; it expires (TTL) with its object, after `retentionDays`. */
export function toImageItem(deviceId: string, imageId: string, meta: ImageMetadata, objectKey: string, sizeBytes: number, retentionDays: number): ImageItem {
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) throw new ContractError(`retentionDays must be positive, got ${retentionDays}`);
  const item: ImageItem = {
    [IndexTable.PARTITION_KEY]: deviceId,
    [IndexTable.SORT_KEY]: imageSortKey(meta.tsMs, imageId),
    tsMs: meta.tsMs,
    imageId,
    objectKey,
    keyId: meta.keyId,
    iv: meta.iv,
    sizeBytes,
    [IndexTable.TTL_ATTRIBUTE]: ttlFor(meta.tsMs, retentionDays),
  } as ImageItem;
  if (meta.eventId !== undefined) item.eventId = meta.eventId;
  return item;
}
