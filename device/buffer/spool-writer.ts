import type { AgentCounters } from '../core/agent-counters.ts';
import type { Logger } from '../core/json-logger.ts';
import { ItemKind, type UploadItem } from '../core/upload-item.ts';
import type { BacklogEntries } from './backlog-entries.ts';
import type { BacklogEntry } from './backlog-entry.ts';
import { DiskSpool, type SpoolRef } from './disk-spool.ts';

/** A spool write that failed, until one succeeds again. */
export interface SpoolFailure {
  atMs: number;
  message: string;
}

/**
 * Writes backlog objects to the disk spool. At the spool's cap it drops the oldest spooled
 * segments (counted and logged) to make room; when the disk itself refuses (ENOSPC,
 * EROFS, EIO) it says so in `failure` until a write succeeds again.
 */
export class SpoolWriter {
  /** The last spool write that failed, until one succeeds again. */
  failure: SpoolFailure | null = null;

  constructor(
    readonly spool: DiskSpool,
    private readonly entries: BacklogEntries,
    /** Removes a dropped entry from the backlog (memory, spool file and all). */
    private readonly forget: (victim: BacklogEntry) => Promise<void>,
    private readonly o: { counters: AgentCounters; log: Logger },
  ) {}

  /**
   * Writes to the spool, dropping the oldest spooled segments (not in flight) to make
   * room. Returns undefined (and counts the drop) when a segment cannot be stored; with
   * `fallback` the caller keeps it elsewhere when the disk refused (`failure` set).
   * `self`: the entry being spilled (never its own victim; kept in memory when refused).
   */
  async put(item: UploadItem, body: Uint8Array, self?: BacklogEntry, fallback = false): Promise<SpoolRef | undefined> {
    const need = DiskSpool.entryBytes(item, body);
    for (;;) {
      if (this.spool.bytes + need <= this.spool.maxBytes || need > this.spool.maxBytes) break;
      const victim = oldestSpooledSegmentBefore(this.entries.values(), item, self);
      if (!victim) break;
      this.o.counters.segmentsDropped++;
      this.o.log.warn('spool full: dropped the oldest segment', {
        objectKey: victim.item.objectKey,
        seq: victim.item.seq,
        spoolBytes: this.spool.bytes,
        spoolMaxBytes: this.spool.maxBytes,
      });
      await this.forget(victim);
    }
    try {
      const ref = await this.spool.put(item, body);
      if (item.kind === ItemKind.SEGMENT) this.o.counters.segmentsSpooled++;
      if (this.failure) {
        this.o.log.info('the spool writes again', { failedSince: this.failure.atMs });
        this.failure = null;
      }
      return ref;
    } catch (err) {
      const full = this.spool.bytes + need > this.spool.maxBytes;
      if (!full) {
        // The disk itself refused (ENOSPC, EROFS, EIO, a path that fails to open): not the cap.
        if (!this.failure) this.o.log.error('SPOOL FAILED: the disk refuses writes; keeping objects in memory until it works again', { err });
        this.failure = { atMs: Date.now(), message: (err as Error).message };
        this.o.counters.spoolWriteErrors++;
        if (fallback) return undefined;
      }
      if (item.kind !== ItemKind.SEGMENT) throw err;
      if (self) {
        this.o.log.warn('could not spool a segment; it stays in memory', { objectKey: item.objectKey, err });
      } else {
        this.o.counters.segmentsDropped++;
        this.o.log.error('segment dropped: no room in memory or spool', { objectKey: item.objectKey, seq: item.seq, err });
      }
      return undefined;
    }
  }
}

/**
 * The segment to drop to make room for `item`: the oldest spooled segment that is older
 * than it, not being written nor in flight, and not `self`. A picture never makes room.
 */
function oldestSpooledSegmentBefore(entries: Iterable<BacklogEntry>, item: UploadItem, self: BacklogEntry | undefined): BacklogEntry | undefined {
  if (item.kind === ItemKind.IMAGE) return undefined;
  const limit = item.seq ?? Infinity;
  let victim: BacklogEntry | undefined;
  for (const x of entries) {
    if (x === self || x.item.kind !== ItemKind.SEGMENT || !x.spool || x.spooling || x.inFlight) continue;
    const seq = x.item.seq ?? 0;
    if (seq < limit && (!victim || seq < (victim.item.seq ?? 0))) victim = x;
  }
  return victim;
}
