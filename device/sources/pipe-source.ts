import { createReadStream, type ReadStream } from 'node:fs';
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

/**
 * Live raw H.264 (and ADTS AAC) from a FIFO or stdin: bytes go to the segmenter as they
 * arrive and frames take their arrival time. A stall (no bytes for `stallMs`) cuts the
 * open segment and is counted; a FIFO whose writer closes is reopened; the agent keeps
 * running either way.
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
    do {
      const stream: Readable = path ? createReadStream(path, { highWaterMark: 64 * 1024 }) : (this.o.stdin ?? process.stdin);
      this.streams.push(stream);
      const dog = new StallWatchdog(this.o.stallMs, (idleMs) => {
        this.input.noteSourceError(
          new SourceError(`${kind} source ${path ?? 'stdin'} stalled: no data for ${idleMs} ms; cutting the open segment`, { retryable: true }),
        );
        if (kind === 'video') this.input.cutSegment();
      });
      try {
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
        this.streams = this.streams.filter((s) => s !== stream);
        if (stream !== process.stdin && stream !== this.o.stdin) (stream as ReadStream).destroy();
      }
      if (reopen && !this.stopped) await sleep(REOPEN_DELAY_MS);
    } while (reopen && !this.stopped);
  }
}
