import { constants } from 'node:fs';
import { mkdir, open as openFile, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../buffer/atomic-file.ts';
import type { Logger } from '../core/json-logger.ts';

/** state.json in the state folder: the next seq to hand out and the current disc-seq. */
export interface PersistedSequence {
  nextSeq: number;
  discSeq: number;
}

export const SEQUENCE_FILE = 'sequence.json';
/**
 * The state file's size: its JSON padded with spaces, so every later state is the same
 * length and overwrites the last one in place (55 characters at most: two 16-digit numbers).
 */
const RECORD_BYTES = 64;
/**
 * After lost state disc-seq restarts from minutes since 2024-01-01 (~1.5e6 in 2026): still
 * above anything one device counts up from 0, and small enough for players (hls.js 1.7
 * stalls on an EXT-X-DISCONTINUITY-SEQUENCE near 1.8e9, i.e. seconds since the epoch,
 * and is known to be fine at 1e7).
 */
export const DISC_SEQ_CLOCK_UNIT_MS = 60_000;
export const DISC_SEQ_CLOCK_ORIGIN_MS = Date.UTC(2024, 0, 1);

/** The disc-seq a device with no state starts from. */
export function discSeqFromClock(nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - DISC_SEQ_CLOCK_ORIGIN_MS) / DISC_SEQ_CLOCK_UNIT_MS));
}

/**
 * seq: per device, +1 per segment, never decreasing, kept across restarts; after lost
 * state it restarts from floor(nowMs / 1000) (so it still never goes back). disc-seq: +1
 * at every discontinuity, the first one being this boot; after lost state it restarts
 * from the minutes since 2024-01-01 (discSeqFromClock). Every change is on disk before
 * the caller may use the number, so a number that reached S3 is never handed out again.
 *
 * The file is written whole once per start (temp name, fsync, rename, folder fsync), and
 * each later change overwrites its 64 bytes in place with one write through a handle kept
 * open with O_DSYNC (the write returns once the bytes are on the medium): one operation
 * per segment instead of eight (open, write, fsync, close, rename, folder open, fsync,
 * close). 64 bytes at offset 0 lie in one sector, which disks and flash write whole; a
 * file garbled anyway reads as lost state (seq from the clock, as above). A write that
 * fails closes the handle: the next change writes the whole file again.
 */
export class SequenceState {
  private state: PersistedSequence;
  private writing: Promise<void> = Promise.resolve();
  /** The state file, open for in-place writes once it has been written whole in this run. */
  private handle: FileHandle | undefined;
  private constructor(
    private readonly file: string,
    state: PersistedSequence,
    private readonly log?: Logger,
  ) {
    this.state = state;
  }

  /**
   * Loads the state (or starts from floor(nowMs/1000) when it is missing or unreadable),
   * raises seq above `minNextSeq` (e.g. the spool's highest seq + 1), counts this boot
   * as a discontinuity and persists.
   */
  static async open(dir: string, opts: { nowMs: number; minNextSeq?: number; log?: Logger }): Promise<SequenceState> {
    await mkdir(dir, { recursive: true });
    const file = join(dir, SEQUENCE_FILE);
    const fresh = Math.floor(opts.nowMs / 1000);
    let loaded: PersistedSequence | undefined;
    try {
      const raw = JSON.parse(await readFile(file, 'utf8')) as Partial<PersistedSequence>;
      if (Number.isSafeInteger(raw.nextSeq) && Number.isSafeInteger(raw.discSeq) && raw.nextSeq! >= 0 && raw.discSeq! >= 0) {
        loaded = { nextSeq: raw.nextSeq!, discSeq: raw.discSeq! };
      } else {
        opts.log?.warn('sequence state unreadable; restarting seq from the clock', { file });
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') opts.log?.warn('sequence state unreadable; restarting seq from the clock', { file, err: e });
    }
    const start = loaded ?? { nextSeq: fresh, discSeq: discSeqFromClock(opts.nowMs) };
    const s = new SequenceState(
      file,
      {
        nextSeq: Math.max(start.nextSeq, opts.minNextSeq ?? 0),
        discSeq: loaded ? loaded.discSeq + 1 : start.discSeq,
      },
      opts.log,
    );
    await s.persist();
    return s;
  }

  get discSeq(): number {
    return this.state.discSeq;
  }

  get nextSeq(): number {
    return this.state.nextSeq;
  }

  /**
   * Hands out the next seq once it is on disk. A disk that refuses the write (a dead card)
   * does not stop recording: the seq is handed out from memory, the failure is logged, and
   * after a restart with lost state seq restarts from the clock, as the contract says.
   */
  async takeSeq(): Promise<number> {
    const seq = this.state.nextSeq;
    this.state = { ...this.state, nextSeq: seq + 1 };
    await this.persistOrWarn();
    return seq;
  }

  /** Starts a new discontinuity (gap, encoder change) and returns its disc-seq. */
  async bumpDisc(): Promise<number> {
    this.state = { ...this.state, discSeq: this.state.discSeq + 1 };
    await this.persistOrWarn();
    return this.state.discSeq;
  }

  /** The last write of the state that failed, until one succeeds. */
  persistFailure: string | null = null;

  private async persistOrWarn(): Promise<void> {
    try {
      await this.persist();
      this.persistFailure = null;
    } catch (err) {
      if (!this.persistFailure) this.log?.error('sequence state could not be written; going on from memory', { file: this.file, err });
      this.persistFailure = (err as Error).message;
    }
  }

  /** Closes the state file (the agent stopped); a later change writes it whole again. */
  async close(): Promise<void> {
    await this.writing.catch(() => {});
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }

  private persist(): Promise<void> {
    const record = Buffer.from(JSON.stringify(this.state).padEnd(RECORD_BYTES - 1) + '\n');
    this.writing = this.writing.catch(() => {}).then(() => this.write(record));
    return this.writing;
  }

  private async write(record: Buffer): Promise<void> {
    if (!this.handle) {
      await writeFileAtomic(this.file, record);
      this.handle = await openFile(this.file, constants.O_WRONLY | constants.O_DSYNC);
      return;
    }
    try {
      const { bytesWritten } = await this.handle.write(record, 0, record.length, 0);
      if (bytesWritten !== record.length) throw new Error(`short write to ${this.file}: ${bytesWritten} of ${record.length} bytes`);
    } catch (err) {
      const h = this.handle;
      this.handle = undefined;
      await h.close().catch(() => {});
      throw err;
    }
  }
}
