import { SpoolError } from '../core/agent-errors.ts';
import type { BacklogEntries } from './backlog-entries.ts';
import type { BacklogEntry } from './backlog-entry.ts';
import type { DiskSpool } from './disk-spool.ts';
import type { MemoryBuffer } from './memory-buffer.ts';
import type { SpoolWriter } from './spool-writer.ts';

/**
 * Where a backlog entry's bytes live, and moving them: read them (memory first, else the
 * spool, checked), spill a memory entry to the spool, free its memory once spooled, and
 * let go of everything when the entry leaves.
 */
export class EntryBytes {
  constructor(
    private readonly memory: MemoryBuffer,
    private readonly spool: DiskSpool,
    private readonly writer: SpoolWriter,
    private readonly entries: BacklogEntries,
  ) {}

  /** The entry's bytes; a spool entry is checked against its SHA-256 (SpoolError if not intact). */
  async read(e: BacklogEntry): Promise<Uint8Array> {
    if (e.held) return e.held;
    if (e.lent) return e.lent.bytes;
    if (e.memory) return this.memory.view(e.memory);
    if (e.spool) return this.spool.readBody(e.spool);
    throw new SpoolError(`entry ${e.item.objectKey} has no bytes`);
  }

  /** Frees a spooled entry's bytes in memory (its memory-buffer slot, or the lent buffer given back). */
  freeMemory(e: BacklogEntry): void {
    if (e.memory) this.memory.release(e.memory);
    e.memory = undefined;
    const lent = e.lent;
    e.lent = undefined;
    lent?.giveBack();
  }

  /** Copies a memory entry to the spool; frees its memory if no PUT is reading it. */
  spill(e: BacklogEntry): Promise<void> {
    const body = this.memory.view(e.memory!);
    e.spooling = (async () => {
      const ref = await this.writer.put(e.item, body, e);
      e.spooling = undefined;
      if (!this.entries.has(e)) {
        if (ref) await this.spool.remove(ref); // confirmed while we wrote
        return;
      }
      if (!ref) return; // could not spool; it stays in memory
      e.spool = ref;
      if (!e.inFlight && e.memory) {
        this.memory.release(e.memory);
        e.memory = undefined;
      }
    })();
    return e.spooling;
  }

  /** The entry left the backlog: waits for a spill under way, then frees its memory and deletes its spool file. */
  async drop(e: BacklogEntry): Promise<void> {
    if (e.spooling) await e.spooling.catch(() => {});
    this.freeMemory(e);
    if (e.spool) {
      await this.spool.remove(e.spool);
      e.spool = undefined;
    }
  }
}
