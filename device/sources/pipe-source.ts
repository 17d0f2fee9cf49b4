import { closeSync, constants, createReadStream, fstatSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { SourceError } from '../core/agent-errors.ts';
import type { MediaInput, MediaSource } from './media-input.ts';
import { StallWatchdog } from './stall-watchdog.ts';

export interface PipeSourceOptions {
  /** A FIFO path, or undefined for stdin. */
  videoPath?: string;
  audioPath?: string;
  stallMs: number;
  /** Reopen a FIFO after its writer closed it. @default true for FIFOs */
  reopen?: boolean;
  stdin?: Readable;
}

const REOPEN_DELAY_MS = 500;
const READ_CHUNK_BYTES = 64 * 1024;

/** An open read end of a source path, and whether it is a FIFO. */
interface ReadEnd {
  readonly fd: number;
  readonly fifo: boolean;
}

/**
 * Opens `path` for reading without blocking: a FIFO's read end opens at once even with no
 * writer (O_NONBLOCK), and counts as a reader from then on, so a writer's open succeeds
 * and what it writes waits in the pipe.
 */
function openReadEnd(path: string): ReadEnd {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return { fd, fifo: fstatSync(fd).isFIFO() };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** A FIFO is read as a pipe (event-driven, no thread held while it waits for a writer); a plain file as a file. */
function readStream(end: ReadEnd): Readable {
  return end.fifo ? new Socket({ fd: end.fd, readable: true, writable: false }) : createReadStream('', { fd: end.fd, highWaterMark: READ_CHUNK_BYTES });
}

/**
 * Live raw H.264 (and ADTS AAC) from a FIFO or stdin: bytes go to the segmenter as they
 * arrive and frames take their arrival time. A stall (no bytes for `stallMs`) cuts the
 * open segment and is counted; a FIFO whose writer closes is reopened; the agent keeps
 * running either way.
 *
 * Reopening a FIFO never leaves it without a reader: the next read end is opened the
 * moment the old one sees its writer close, before the old one is closed. A FIFO drops
 * what is in it when its last reader closes, so a writer that reopens within milliseconds
 * (its open succeeds while the old read end is still open) would otherwise lose its
 * first bytes, and an O_NONBLOCK writer would fail to open (ENXIO) in the gap.
 */
export class PipeSource implements MediaSource {
  private stopped = false;
  private streams: Readable[] = [];
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly input: MediaInput,
    private readonly o: PipeSourceOptions,
  ) {}

  start(): void {
    this.loops.push(this.run('video', this.o.videoPath, (c) => this.input.pushVideo(c)));
    if (this.o.audioPath) this.loops.push(this.run('audio', this.o.audioPath, (c) => this.input.pushAudio(c)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.streams) if (s !== this.o.stdin && s !== process.stdin) s.destroy();
    this.streams = [];
  }

  private async run(kind: string, path: string | undefined, push: (c: Uint8Array) => void): Promise<void> {
    const reopen = path !== undefined && (this.o.reopen ?? true);
    /** The next read end of a FIFO, opened when the old one saw its writer close, before the old one is closed. */
    let next: ReadEnd | undefined;
    const openNext = () => {
      if (this.stopped || !path) return;
      try {
        next = openReadEnd(path);
      } catch {
        next = undefined; // opened again (and any error reported) by the loop
      }
    };
    try {
      do {
        let stream: Readable | undefined;
        const dog = new StallWatchdog(this.o.stallMs, (idleMs) => {
          this.input.noteSourceError(
            new SourceError(`${kind} source ${path ?? 'stdin'} stalled: no data for ${idleMs} ms; cutting the open segment`, { retryable: true }),
          );
          if (kind === 'video') this.input.cutSegment();
        });
        try {
          const end = path ? (next ?? openReadEnd(path)) : undefined;
          next = undefined;
          stream = end ? readStream(end) : (this.o.stdin ?? process.stdin);
          this.streams.push(stream);
          // 'end' comes before the stream closes its descriptor (autoDestroy runs after it).
          if (reopen && end?.fifo) stream.once('end', openNext);
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            dog.kick();
            push(chunk);
            if (this.stopped) break;
          }
          if (!this.stopped) {
            this.input.noteSourceError(new SourceError(`${kind} source ${path ?? 'stdin'} closed${reopen ? '; reopening' : ''}`, { retryable: reopen }));
            if (kind === 'video') this.input.cutSegment();
          }
        } catch (cause) {
          if (!this.stopped)
            this.input.noteSourceError(new SourceError(`${kind} source ${path ?? 'stdin'} failed: ${(cause as Error).message}`, { cause, retryable: reopen }));
        } finally {
          dog.stop();
          if (stream) {
            this.streams = this.streams.filter((s) => s !== stream);
            if (stream !== process.stdin && stream !== this.o.stdin) stream.destroy();
          }
        }
        // A FIFO whose next read end is open already is read again at once (its writer may be writing); otherwise wait a little.
        if (reopen && !this.stopped && next === undefined) await sleep(REOPEN_DELAY_MS);
      } while (reopen && !this.stopped);
    } finally {
      if (next) closeSync(next.fd);
    }
  }
}
