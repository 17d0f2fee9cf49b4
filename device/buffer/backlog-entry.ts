import type { UploadItem } from '../core/upload-item.ts';
import type { SpoolRef } from './disk-spool.ts';
import type { MemorySlot } from './memory-buffer.ts';

/** One object waiting for S3, its bytes in the memory buffer, the spool, or both. */
export interface BacklogEntry {
  readonly id: number;
  readonly item: UploadItem;
  readonly bytes: number;
  memory: MemorySlot | undefined;
  spool: SpoolRef | undefined;
  /** A wrapped key or event record kept as its own small copy because the spool could not take it. */
  held: Uint8Array | undefined;
  /** A spooled segment's bytes lent by the caller (the segmenter's own buffer) for its first PUT, given back once no PUT reads them. */
  lent: { readonly bytes: Uint8Array; readonly giveBack: () => void } | undefined;
  spooling: Promise<void> | undefined;
  inFlight: boolean;
  /** A PUT was tried before (in this process, or before a restart for recovered entries): a 412 then means it landed. */
  attempted: boolean;
  /** Not taken again before this time (UTC ms): set when this entry alone failed (its spool file would not read, S3 refused this request). */
  retryAtMs?: number;
}
