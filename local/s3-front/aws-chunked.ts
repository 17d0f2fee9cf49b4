/**
 * Decodes an `aws-chunked` request body (what the SDK sends when it streams a payload
 * with STREAMING-* content hashes or trailing checksums) into the plain object bytes.
 *
 *   {size hex}[;chunk-signature={64 hex}]\r\n {size bytes} \r\n     repeated
 *   0[;chunk-signature=...]\r\n [{trailer-name}:{value}\r\n]* \r\n
 *
 * Chunk signatures are not checked (the seed signature over the headers is).
 */
export class AwsChunkedError extends Error {
  override name = 'AwsChunkedError';
}

const CRLF = Buffer.from('\r\n');
const MAX_SIZE_LINE_BYTES = 256;

export function decodeAwsChunked(body: Uint8Array): Buffer {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = buf.indexOf(CRLF, offset);
    if (lineEnd < 0 || lineEnd - offset > MAX_SIZE_LINE_BYTES) throw new AwsChunkedError(`aws-chunked body: no chunk-size line at byte ${offset}`);
    const sizeHex = buf.toString('latin1', offset, lineEnd).split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeHex)) throw new AwsChunkedError(`aws-chunked body: bad chunk size ${JSON.stringify(sizeHex)} at byte ${offset}`);
    const size = parseInt(sizeHex, 16);
    offset = lineEnd + 2;
    if (size === 0) return Buffer.concat(parts);
    if (offset + size + 2 > buf.length) throw new AwsChunkedError(`aws-chunked body: chunk of ${size} bytes at byte ${offset} runs past the end`);
    parts.push(buf.subarray(offset, offset + size));
    offset += size;
    if (!buf.subarray(offset, offset + 2).equals(CRLF)) throw new AwsChunkedError(`aws-chunked body: missing CRLF after chunk at byte ${offset}`);
    offset += 2;
  }
}

/** Whether a request's headers say its body is aws-chunked. */
export function isAwsChunked(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const enc = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return enc.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}
