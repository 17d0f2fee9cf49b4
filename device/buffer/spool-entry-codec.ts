import { createHash } from 'node:crypto';
import { SpoolError } from '../core/agent-errors.ts';
import type { UploadItem } from '../core/upload-item.ts';

/**
 * One spool file:
 *
 *   offset 0   4 bytes  magic "CRSP"
 *   offset 4   1 byte   format version (1)
 *   offset 5   4 bytes  header length H, uint32 big-endian
 *   offset 9   H bytes  header, UTF-8 JSON: { item: UploadItem, bodyBytes, bodySha256 }
 *   offset 9+H          body (the object's bytes, already encrypted for segments)
 */
export const SPOOL_MAGIC = Buffer.from('CRSP', 'ascii');
export const SPOOL_VERSION = 1;
export const SPOOL_PREFIX_BYTES = 9;
const MAX_HEADER_BYTES = 64 * 1024;

export interface SpoolHeader {
  item: UploadItem;
  bodyBytes: number;
  bodySha256: string;
}

export const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The file's bytes as chunks (prefix+header, body) so the body is not copied. `bodySha256`: the body's, if already known (hex). */
export function encodeSpoolEntry(item: UploadItem, body: Uint8Array, bodySha256 = sha256Hex(body)): Uint8Array[] {
  const header = Buffer.from(JSON.stringify({ item, bodyBytes: body.length, bodySha256 } satisfies SpoolHeader));
  const prefix = Buffer.alloc(SPOOL_PREFIX_BYTES);
  SPOOL_MAGIC.copy(prefix, 0);
  prefix.writeUInt8(SPOOL_VERSION, 4);
  prefix.writeUInt32BE(header.length, 5);
  return [Buffer.concat([prefix, header]), body];
}

/** Reads the prefix and header; returns the header and the body's offset. */
export function decodeSpoolHeader(data: Uint8Array, file?: string): { header: SpoolHeader; bodyOffset: number } {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < SPOOL_PREFIX_BYTES || !b.subarray(0, 4).equals(SPOOL_MAGIC))
    throw new SpoolError('not a camrec spool entry (bad magic)', { file, corrupt: true });
  if (b.readUInt8(4) !== SPOOL_VERSION) throw new SpoolError(`unknown spool format version ${b.readUInt8(4)}`, { file, corrupt: true });
  const headerBytes = b.readUInt32BE(5);
  if (headerBytes > MAX_HEADER_BYTES || SPOOL_PREFIX_BYTES + headerBytes > b.length)
    throw new SpoolError('spool entry header is truncated', { file, corrupt: true });
  let header: SpoolHeader;
  try {
    header = JSON.parse(b.subarray(SPOOL_PREFIX_BYTES, SPOOL_PREFIX_BYTES + headerBytes).toString('utf8')) as SpoolHeader;
  } catch (cause) {
    throw new SpoolError('spool entry header is not JSON', { file, cause, corrupt: true });
  }
  const it = header?.item;
  if (
    !it ||
    typeof it.objectKey !== 'string' ||
    typeof it.contentType !== 'string' ||
    typeof it.metadata !== 'object' ||
    !Number.isSafeInteger(header.bodyBytes) ||
    typeof header.bodySha256 !== 'string'
  ) {
    throw new SpoolError('spool entry header is missing fields', { file, corrupt: true });
  }
  return { header, bodyOffset: SPOOL_PREFIX_BYTES + headerBytes };
}

/** Decodes a whole entry and checks the body's length and SHA-256. */
export function decodeSpoolEntry(data: Uint8Array, file?: string): { header: SpoolHeader; body: Uint8Array } {
  const { header, bodyOffset } = decodeSpoolHeader(data, file);
  const body = data.subarray(bodyOffset);
  if (body.length !== header.bodyBytes)
    throw new SpoolError(`spool entry body is ${body.length} bytes, header says ${header.bodyBytes}`, { file, corrupt: true });
  if (sha256Hex(body) !== header.bodySha256) throw new SpoolError('spool entry body does not match its SHA-256', { file, corrupt: true });
  return { header, body };
}
