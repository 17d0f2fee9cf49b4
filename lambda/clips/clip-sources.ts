/** One recorded segment a clip is made from: what it is, where its bytes are, and the camera's checksum. */
export interface ClipSourceSegment {
  startMs: number;
  durationMs: number;
  seq: number;
  discSeq: number;
  keyId: string;
  /** 32 hex digits. */
  iv: string;
  /** `ts` or `fmp4` (the container adapter to read it with). */
  container: string;
  /** fMP4: the init section the segment needs (`init/{deviceId}/{initId}.mp4`, clear, named by the SHA-256 of its bytes). */
  initId?: string;
  /** Where the bytes are: a hot object, or a byte range of a pack object. */
  location: { kind: 'hot'; objectKey: string } | { kind: 'pack'; objectKey: string; offset: number; length: number };
  /** Base64 SHA-256 the camera sent with the upload (S3 verified it, the indexer recorded it); undefined when none was recorded. */
  checksumSha256: string | undefined;
}

/** The index as the clip export reads it (DynamoDB, or a fake). */
export interface ClipSourceIndex {
  /** Segments overlapping [startMs, endMs), each once, ascending: packed history as pack ranges, the rest as hot objects. */
  segments(deviceId: string, startMs: number, endMs: number): Promise<ClipSourceSegment[]>;
}
