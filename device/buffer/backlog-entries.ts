import { ItemKind, type UploadItem } from '../core/upload-item.ts';
import type { BacklogEntry } from './backlog-entry.ts';
import type { SpoolRef } from './disk-spool.ts';
import type { MemorySlot } from './memory-buffer.ts';

/** Where a new entry's bytes are: the memory buffer, the spool, a copy of its own, or the caller's lent buffer. */
export interface EntryPlace {
  memory?: MemorySlot;
  spool?: SpoolRef;
  held?: Uint8Array;
  lent?: BacklogEntry['lent'];
  /** A PUT was tried before (recovered from the spool at start). */
  attempted?: boolean;
}

/**
 * The backlog's table: every entry not yet confirmed, by id, and which segment is live
 * (the highest seq added in this run). Counts and sums for status; no I/O.
 */
export class BacklogEntries {
  private readonly byId = new Map<number, BacklogEntry>();
  private nextId = 1;
  /** The highest seq added in this run: that segment is "live"; every other one waiting is backlog. */
  private liveSeq = -1;

  insert(item: UploadItem, bytes: number, where: EntryPlace): void {
    const e: BacklogEntry = {
      id: this.nextId++,
      item,
      bytes,
      memory: where.memory,
      spool: where.spool,
      held: where.held,
      lent: where.lent,
      spooling: undefined,
      inFlight: false,
      attempted: where.attempted ?? false,
    };
    this.byId.set(e.id, e);
  }

  has(e: BacklogEntry): boolean {
    return this.byId.has(e.id);
  }

  delete(e: BacklogEntry): void {
    this.byId.delete(e.id);
  }

  values(): IterableIterator<BacklogEntry> {
    return this.byId.values();
  }

  /** A segment was recorded: the newest one is live. */
  noteSegment(seq: number): void {
    this.liveSeq = Math.max(this.liveSeq, seq);
  }

  /** The newest segment recorded in this run (not one waiting from before, nor one a newer segment overtook). */
  isLive(e: BacklogEntry): boolean {
    return e.item.kind === ItemKind.SEGMENT && e.item.seq === this.liveSeq;
  }

  /** Segments waiting that are not live: what backlog windows and a busy capped link hold back. */
  get backlogSegmentCount(): number {
    let n = 0;
    for (const e of this.byId.values()) if (e.item.kind === ItemKind.SEGMENT && !e.inFlight && !this.isLive(e)) n++;
    return n;
  }

  /** The earliest retryAtMs of a waiting entry, if any waits. */
  nextRetryAtMs(): number | undefined {
    let next: number | undefined;
    for (const e of this.byId.values()) if (!e.inFlight && e.retryAtMs !== undefined && (next === undefined || e.retryAtMs < next)) next = e.retryAtMs;
    return next;
  }

  get count(): number {
    return this.byId.size;
  }

  get segmentCount(): number {
    let n = 0;
    for (const e of this.byId.values()) if (e.item.kind === ItemKind.SEGMENT) n++;
    return n;
  }

  get bytes(): number {
    let n = 0;
    for (const e of this.byId.values()) n += e.bytes;
    return n;
  }

  list(): BacklogEntry[] {
    return [...this.byId.values()];
  }
}
