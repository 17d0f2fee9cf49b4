/**
 * What the agent uploads. A segment or picture waits until the wrapped key (and, fMP4, the
 * init section) it names is in S3. Heartbeats never wait in the backlog (see link/heartbeat.ts).
 */
export const ItemKind = { SEGMENT: 'segment', KEY: 'key', EVENT: 'event', HEARTBEAT: 'heartbeat', INIT: 'init', IMAGE: 'image' } as const;
export type ItemKind = (typeof ItemKind)[keyof typeof ItemKind];

/**
 * Everything needed to PUT one object, fixed before the first attempt and stored with
 * the bytes in the spool: object key, content type, metadata, and (segments) seq and
 * key id. Retrying or restarting never changes any of it.
 */
export interface UploadItem {
  readonly kind: ItemKind;
  readonly objectKey: string;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Segments: the device seq (ordering: newest first, backlog oldest first). */
  readonly seq?: number;
  /** Segments and pictures: the data key that encrypted them (its wrapped key must land first). */
  readonly keyId?: string;
  /** fMP4 segments and init sections: the init section's id (a segment's init section must land first). */
  readonly initId?: string;
  /** Segments: UTC ms of the first frame. */
  readonly startMs?: number;
  readonly createdMs: number;
}
