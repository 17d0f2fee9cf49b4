import type { Backlog } from '../buffer/backlog.ts';
import type { DiskSpool } from '../buffer/disk-spool.ts';
import type { Logger } from '../core/json-logger.ts';

/** How often spool entries that failed to read at start are tried again. */
const SPOOL_REREAD_MS = 60_000;

/**
 * Spool files that could not be read at start (EIO, EMFILE, ...): kept on disk, read again
 * once a minute, and queued for upload once they read (deleted only when proven corrupt).
 */
export class SpoolReread {
  private readonly files: string[];
  private lastTryMs = 0;

  constructor(
    private readonly spool: DiskSpool,
    private readonly backlog: Backlog,
    files: readonly string[],
    private readonly log: Logger,
  ) {
    this.files = [...files];
  }

  /** Files still unreadable. */
  get unreadable(): number {
    return this.files.length;
  }

  /** Called every second: reads the files again when a minute has passed. */
  tick(nowMs: number): void {
    if (!this.files.length || nowMs - this.lastTryMs < SPOOL_REREAD_MS) return;
    this.lastTryMs = nowMs;
    void this.reread();
  }

  private async reread(): Promise<void> {
    for (const file of this.files.splice(0)) {
      const outcome = await this.spool.adopt(file);
      if (outcome === 'unreadable') this.files.push(file);
      else if (outcome !== 'corrupt') {
        this.backlog.addRecovered([outcome]);
        this.log.info('spool entry readable again; queued', { file });
      }
    }
  }
}
