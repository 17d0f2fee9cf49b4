import type { AgentCounters } from '../core/agent-counters.ts';
import type { Logger } from '../core/json-logger.ts';
import { ItemKind, type UploadItem } from '../core/upload-item.ts';
import { BacklogEntries } from './backlog-entries.ts';
import type { BacklogEntry } from './backlog-entry.ts';
import { pickNext, type TakeOptions } from './backlog-order.ts';
import { ChangeSignal } from './change-signal.ts';
import type { DiskSpool, SpoolRef } from './disk-spool.ts';
import { EntryBytes } from './entry-bytes.ts';
import type { MemoryBuffer, MemorySlot } from './memory-buffer.ts';
import { SpoolWriter, type SpoolFailure } from './spool-writer.ts';

export type { BacklogEntry } from './backlog-entry.ts';

export interface BacklogOptions {
  /** Spool every segment before its first PUT. */
  writeThrough: boolean;
  counters: AgentCounters;
  log: Logger;
}

/**
 * Everything not yet confirmed by S3, and the order it goes in. Wrapped keys and event
 * records go straight to the spool (small, must survive a crash). Segments go to the
 * memory buffer; a segment that is waiting while another one arrives, or whose PUT
 * failed, is written to the spool ("uploads fall behind"), and leaves memory once it is
 * on disk. At the spool's cap the oldest segments are dropped, counted and logged.
 * Nothing leaves before `confirm` (S3 said 200, or 412 on a retry).
 *
 * When the spool cannot be written (ENOSPC, EROFS, a dead SD card), nothing is dropped for
 * it: a write-through segment stays in the memory buffer (dropped only if that has no
 * room either, counted and logged), a wrapped key or event record is kept as a small copy
 * of its own, so recording goes on across key rotations; `spoolFailure` says so until a
 * spool write succeeds again.
 *
 * Order (`take`): keys, init sections and events first; then the newest segment; other
 * workers drain the backlog oldest-first. A segment waits while its wrapped key (or its
 * fMP4 init section) is still queued. Init sections are kept like wrapped keys: spooled
 * before they are queued, or held in memory when the spool cannot take them.
 *
 * Its parts: BacklogEntries (the table and which segment is live), SpoolWriter (spool
 * writes, room at the cap, the disk's health), EntryBytes (where an entry's bytes are,
 * spills), backlog-order.ts (what goes next), ChangeSignal (waiters).
 */
export class Backlog {
  private readonly entries = new BacklogEntries();
  private readonly changes = new ChangeSignal();
  private readonly writer: SpoolWriter;
  private readonly bytesOf: EntryBytes;
  private readonly isLiveEntry = (e: BacklogEntry) => this.entries.isLive(e);

  constructor(
    readonly memory: MemoryBuffer,
    readonly spool: DiskSpool,
    private readonly o: BacklogOptions,
  ) {
    this.writer = new SpoolWriter(spool, this.entries, (victim) => this.forget(victim), o);
    this.bytesOf = new EntryBytes(memory, spool, this.writer, this.entries);
  }

  /** The last spool write that failed, until one succeeds again. */
  get spoolFailure(): SpoolFailure | null {
    return this.writer.failure;
  }

  /** Adopts entries found in the spool at start (they count as attempted: a 412 means they landed). */
  addRecovered(refs: readonly SpoolRef[]): void {
    for (const ref of refs) this.entries.insert(ref.item, ref.fileBytes, { spool: ref, attempted: true });
    this.changes.wake();
  }

  /**
   * Queues one object. `body` is the bytes, or a slot of the memory buffer the caller
   * filled (ownership passes to the backlog). Resolves once the object is queued (and,
   * for keys, events and write-through segments, on disk). Bytes are copied, unless
   * `giveBack` is passed: then the backlog may keep `body` itself (a write-through
   * segment's first PUT sends it, with no copy in the memory buffer) and calls `giveBack`
   * exactly once when it no longer reads them (at once when it copied them).
   */
  async add(item: UploadItem, body: Uint8Array | MemorySlot, giveBack?: () => void): Promise<void> {
    let lent = false;
    try {
      lent = await this.queue(item, body, giveBack);
    } finally {
      if (!lent) giveBack?.();
    }
  }

  /** add() without the give-back: true when the entry keeps `body` itself (lent). */
  private async queue(item: UploadItem, body: Uint8Array | MemorySlot, giveBack: (() => void) | undefined): Promise<boolean> {
    const bytes = body instanceof Uint8Array ? body : this.memory.view(body);
    if (item.kind === ItemKind.SEGMENT && item.seq !== undefined) this.entries.noteSegment(item.seq);
    if (item.kind !== ItemKind.SEGMENT || this.o.writeThrough) {
      let ref: SpoolRef | undefined;
      try {
        ref = await this.writer.put(item, bytes, undefined, true);
      } catch {
        ref = undefined;
      }
      if (!ref && item.kind === ItemKind.IMAGE) {
        // A picture is worth less than footage and memory stays bounded: with no room on disk it is dropped, never held.
        this.o.counters.imagesDropped++;
        this.o.log.warn('picture dropped: no room in the spool', {
          objectKey: item.objectKey,
          spoolBytes: this.spool.bytes,
          spoolMaxBytes: this.spool.maxBytes,
          spoolFailure: this.spoolFailure?.message,
        });
        if (!(body instanceof Uint8Array)) this.memory.release(body);
        return false;
      }
      if (!ref && (this.spoolFailure || item.kind !== ItemKind.SEGMENT)) {
        // The disk refused (or, for a key, init section or event record, the spool had no room): keep the
        // object in memory instead. A wrapped key or init section is never lost: segments that name it wait for it.
        this.keepInMemory(item, body, bytes);
        this.changes.wake();
        return false;
      }
      // A write-through segment keeps its bytes in memory while there is room, so its first
      // PUT sends them instead of reading and re-hashing the spool file: the caller's own
      // buffer when it lends it (no copy, and the memory buffer's pages stay untouched in
      // continuous recording), else a copy in the memory buffer. Bytes of segments that are
      // still waiting (uploads are behind) give way first: the spool has them, and the
      // buffer stays free for pre-record.
      if (item.kind === ItemKind.SEGMENT) for (const e of this.entries.values()) if (e.spool && (e.memory || e.lent) && !e.inFlight) this.bytesOf.freeMemory(e);
      const lend = item.kind === ItemKind.SEGMENT && ref && body instanceof Uint8Array && giveBack ? { bytes: body, giveBack } : undefined;
      const slot = item.kind === ItemKind.SEGMENT && ref && !lend ? (body instanceof Uint8Array ? this.memory.put(body) : body) : undefined;
      if (!(body instanceof Uint8Array) && slot !== body) this.memory.release(body);
      if (ref) this.entries.insert(item, bytes.length, { spool: ref, memory: slot, lent: lend });
      this.changes.wake();
      return lend !== undefined && ref !== undefined;
    }
    // Segments waiting while a new one arrives: uploads are behind, so move them to disk.
    const spills = this.entries
      .list()
      .filter((e) => e.item.kind === ItemKind.SEGMENT && e.memory && !e.spool && !e.spooling && !e.inFlight)
      .map((e) => this.bytesOf.spill(e));
    await Promise.all(spills);
    const slot = body instanceof Uint8Array ? this.memory.put(body) : body;
    if (slot) {
      this.entries.insert(item, bytes.length, { memory: slot });
    } else {
      const ref = await this.writer.put(item, bytes);
      if (ref) this.entries.insert(item, bytes.length, { spool: ref });
    }
    this.changes.wake();
    return false;
  }

  /** The earliest retryAtMs of a waiting entry, if any waits. */
  nextRetryAtMs(): number | undefined {
    return this.entries.nextRetryAtMs();
  }

  /**
   * The next entry to PUT (marked in flight), or undefined when nothing is ready. Entries
   * waiting for their retryAtMs are passed over. With `backlog: false` only keys, events
   * and the live segment (the newest recorded) may go (outside the backlog windows); with
   * `segments: false` only keys and events (a capped link already busy with a segment).
   */
  take(nowMs = Date.now(), opts: TakeOptions = {}): BacklogEntry | undefined {
    const pick = pickNext(this.entries.values(), this.isLiveEntry, nowMs, opts);
    if (pick) pick.inFlight = true;
    return pick;
  }

  /** The newest segment recorded in this run (not one waiting from before, nor one a newer segment overtook). */
  isLive(e: BacklogEntry): boolean {
    return this.entries.isLive(e);
  }

  /** Segments waiting that are not live: what backlog windows and a busy capped link hold back. */
  get backlogSegmentCount(): number {
    return this.entries.backlogSegmentCount;
  }

  /** The entry's bytes; a spool entry is checked against its SHA-256 (SpoolError if not intact). */
  body(e: BacklogEntry): Promise<Uint8Array> {
    return this.bytesOf.read(e);
  }

  /** S3 confirmed: free its memory and spool file. */
  async confirm(e: BacklogEntry): Promise<void> {
    await this.forget(e);
  }

  /** A PUT failed and will be retried (not before `retryAtMs`, when given); spill it to disk if it only lives in memory. */
  release(e: BacklogEntry, retryAtMs?: number): void {
    e.inFlight = false;
    e.attempted = true;
    e.retryAtMs = retryAtMs;
    if ((e.memory || e.lent) && e.spool)
      this.bytesOf.freeMemory(e); // retries read the spool
    else if (e.memory && !e.spooling) void this.bytesOf.spill(e);
    this.changes.wake();
  }

  /** Drops an entry that can never be uploaded (corrupt, or refused by S3 for good). */
  async discard(e: BacklogEntry, reason: string): Promise<void> {
    if (e.item.kind === ItemKind.SEGMENT) this.o.counters.segmentsDropped++;
    this.o.log.error('object dropped', { objectKey: e.item.objectKey, reason });
    await this.forget(e);
  }

  /** Moves every memory-only entry to the spool (shutdown). */
  async spillAll(): Promise<void> {
    await Promise.all(
      this.entries
        .list()
        .filter((e) => e.memory && !e.spool)
        .map((e) => e.spooling ?? this.bytesOf.spill(e)),
    );
  }

  /** Resolves at the next change (an entry added, released or removed) or when `signal` aborts. */
  changed(signal?: AbortSignal): Promise<void> {
    return this.changes.next(signal);
  }

  get count(): number {
    return this.entries.count;
  }

  get segmentCount(): number {
    return this.entries.segmentCount;
  }

  get bytes(): number {
    return this.entries.bytes;
  }

  /** Snapshot for tests and status. */
  list(): readonly BacklogEntry[] {
    return this.entries.list();
  }

  /** The spool refused `item`: a segment goes to the memory buffer, a key or event record into a copy of its own. */
  private keepInMemory(item: UploadItem, body: Uint8Array | MemorySlot, bytes: Uint8Array): void {
    if (item.kind !== ItemKind.SEGMENT) {
      this.entries.insert(item, bytes.length, { held: Buffer.from(bytes) });
      if (!(body instanceof Uint8Array)) this.memory.release(body);
      return;
    }
    const slot = body instanceof Uint8Array ? this.memory.put(body) : body;
    if (slot) {
      this.entries.insert(item, bytes.length, { memory: slot });
      return;
    }
    this.o.counters.segmentsDropped++;
    this.o.log.error('segment dropped: the spool failed and the memory buffer is full', {
      objectKey: item.objectKey,
      seq: item.seq,
      spoolFailure: this.spoolFailure?.message,
    });
  }

  /** Removes an entry (confirmed, discarded, or dropped for room) and frees its bytes. */
  private async forget(e: BacklogEntry): Promise<void> {
    this.entries.delete(e);
    e.inFlight = false;
    this.changes.wake();
    await this.bytesOf.drop(e);
  }
}
