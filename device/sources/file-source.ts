import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { SourceError } from '../agent/agent-errors.ts';
import { AdtsParser } from '../media/aac/adts-parser.ts';
import { AccessUnitAssembler } from '../media/h264/access-unit-assembler.ts';
import { AnnexBSplitter } from '../media/h264/annexb-splitter.ts';
import { START_CODE_4 } from '../media/h264/nal-unit-type.ts';
import type { MediaInput, MediaSource } from './media-input.ts';

export interface FileSourceOptions {
  videoPath: string;
  audioPath?: string;
  fps: number;
  loop: boolean;
  now?: () => number;
}

/** A frame ready to feed, with its offset from the start of one pass (ms). */
interface TimedFrame {
  kind: 'video' | 'audio';
  atMs: number;
  data: Uint8Array;
}

/**
 * A raw H.264 (Annex B) file, optionally with an ADTS AAC file, played in real time:
 * frame n at start + n / fps, audio frame k at start + k * 1024 / sampleRate. Each frame
 * goes in with that capture time, as camera firmware would call putVideoFrame.
 * With `loop`, the file plays again from the start, continuing the time line.
 * Memory: the file's frames (a sample clip), not a stream of unbounded size.
 */
export class FileSource implements MediaSource {
  private stopped = false;
  private done: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly input: MediaInput,
    private readonly o: FileSourceOptions,
  ) {}

  start(): void {
    this.done = this.run().catch((cause) => {
      this.input.noteSourceError(new SourceError(`file source ${this.o.videoPath} failed: ${(cause as Error).message}`, { cause }));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
  }

  /** Resolves when a non-looping file has been played to the end. */
  get finished(): Promise<void> {
    return this.done ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    const now = this.o.now ?? Date.now;
    const frames = await loadFrames(this.o.videoPath, this.o.audioPath, this.o.fps);
    if (!frames.length) throw new Error('no H.264 access units found: is it a raw Annex-B .h264 file?');
    const passMs = frames.filter((f) => f.kind === 'video').length * (1000 / this.o.fps);
    let epoch = now();
    do {
      for (const f of frames) {
        if (this.stopped) return;
        const at = epoch + f.atMs;
        const wait = at - now();
        if (wait > 1) await this.sleep(wait);
        if (this.stopped) return;
        if (f.kind === 'video') this.input.putVideoFrame(f.data, at);
        else this.input.putAudioFrame(f.data, at);
      }
      epoch += passMs;
    } while (this.o.loop && !this.stopped);
  }

  private async sleep(ms: number): Promise<void> {
    const ac = new AbortController();
    this.wake = () => ac.abort();
    await sleep(ms, undefined, { signal: ac.signal }).catch(() => {});
    this.wake = undefined;
  }
}

/** Splits the files into access units / ADTS frames with their time offsets, merged in time order. */
export async function loadFrames(videoPath: string, audioPath: string | undefined, fps: number): Promise<TimedFrame[]> {
  const out: TimedFrame[] = [];
  let n = 0;
  const asm = new AccessUnitAssembler((au) => {
    if (!au.hasVcl) return;
    const parts: Uint8Array[] = [];
    for (const nal of au.nals) parts.push(START_CODE_4, nal);
    out.push({ kind: 'video', atMs: (n++ * 1000) / fps, data: Buffer.concat(parts) });
  });
  const splitter = new AnnexBSplitter((e) => asm.push(e));
  splitter.push(await readFile(videoPath), 0);
  splitter.flush();
  asm.flush();
  if (audioPath) {
    let samples = 0;
    const parser = new AdtsParser((e) => {
      out.push({ kind: 'audio', atMs: (samples * 1000) / e.header.sampleRateHz, data: e.frame });
      samples += e.header.samples;
    });
    parser.push(await readFile(audioPath), 0);
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
