import { open, readFile, type FileHandle } from 'node:fs/promises';
import { SourceError } from '../core/agent-errors.ts';
import { AdtsParser } from '../../media/aac/adts-parser.ts';
import { AnnexBSplitter, DEFAULT_MAX_NAL_BYTES } from '../../media/bitstream/annexb-splitter.ts';
import { START_CODE_4 } from '../../media/h264/nal-unit-type.ts';
import { VideoStage } from '../media/video/video-stage.ts';
import type { MediaInput, MediaSource } from './media-input.ts';

export interface FileSourceOptions {
  videoPath: string;
  audioPath?: string;
  /** Frames per second. @default the SPS frame rate (VUI timing); without one the source fails, saying to set it. */
  fps?: number;
  loop: boolean;
  now?: () => number;
}

/** Bytes read from the video file at a time. */
const READ_BYTES = 128 * 1024;
/** Frames parsed ahead of the one being fed (about a second at 25 fps). */
const FRAMES_AHEAD = 25;

/** A frame with its offset from the start of one pass of the file (ms). */
interface TimedFrame {
  atMs: number;
  durationMs: number;
  data: Uint8Array;
}

/** An access unit read from the file, with the frame rate of the SPS it came with (if any). */
interface ReadFrame {
  data: Uint8Array;
  spsFps?: number;
}

/**
 * A raw H.264 or H.265 (Annex B) file, optionally with an ADTS AAC file, played in real
 * time: frame n (in decode order) at start + n / fps (fps as configured, else from the
 * SPS), audio frame k at its sample time. Each frame goes in with that capture time, as
 * camera firmware calls putVideoFrame (an H.265 stream's B-frames get their presentation
 * times from their picture order count in the segmenter). With `loop`, the file plays again from the start and the time line
 * continues; audio that would run past the video's end is left out at each pass, so two
 * passes never overlap (an audio file a few ms longer than the video, as AAC's 1024-sample
 * frames make it, would otherwise put two audio frames on the same instant at every loop).
 * Memory: the video is read 128 KiB at a time, about a second of frames ahead; the audio
 * file (small) is read whole.
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

  /** Resolves when a non-looping file has been played to the end (or the source stopped). */
  get finished(): Promise<void> {
    return this.done ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    const now = this.o.now ?? Date.now;
    const audio = this.o.audioPath ? await loadAudio(this.o.audioPath) : [];
    let frameMs = this.o.fps ? 1000 / this.o.fps : undefined;
    let epoch = now();
    do {
      const video = new VideoReader(await open(this.o.videoPath, 'r'));
      let n = 0;
      let a = 0;
      try {
        for (;;) {
          if (this.stopped) return;
          const frame = await video.next();
          if (frame && frameMs === undefined) {
            if (!frame.spsFps)
              throw new Error('the video stream has no frame rate in its SPS (VUI timing): set source.fps in device.json (camrec local: --fps N)');
            frameMs = 1000 / frame.spsFps;
          }
          const vAt = n * (frameMs ?? 0);
          // Audio frames due before this video frame go first; at the end of the video, the
          // ones that end within it (none overlaps the next pass).
          const due = (f: TimedFrame) => (frame ? f.atMs <= vAt : f.atMs + f.durationMs <= vAt + 0.5);
          while (a < audio.length && due(audio[a]!) && !this.stopped) {
            await this.waitUntil(epoch + audio[a]!.atMs, now);
            this.input.putAudioFrame(audio[a]!.data, epoch + audio[a]!.atMs);
            a++;
          }
          if (!frame) break;
          await this.waitUntil(epoch + vAt, now);
          if (this.stopped) return;
          this.input.putVideoFrame(frame.data, epoch + vAt);
          n++;
        }
      } finally {
        await video.close();
      }
      if (n === 0) throw new Error('no H.264 or H.265 access units found: is it a raw Annex-B .h264 / .h265 file?');
      epoch += n * (frameMs ?? 0);
    } while (this.o.loop && !this.stopped);
  }

  /**
   * Waits for a frame's time with one plain timer (stop() wakes it early). Runs 25+ times
   * a second for the life of the agent: timers/promises with an AbortController per wait
   * cost twice the CPU of this (signal, listener, DOMException per frame).
   */
  private waitUntil(atMs: number, now: () => number): Promise<void> | undefined {
    const wait = atMs - now();
    if (wait <= 1) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.wake = done;
    });
  }
}

/** Reads access units from an Annex-B file (H.264 or H.265, told from the stream) a chunk at a time. */
class VideoReader {
  private readonly queue: ReadFrame[] = [];
  private readonly splitter: AnnexBSplitter;
  private readonly video: VideoStage;
  private position = 0;
  private eof = false;

  constructor(private readonly fh: FileHandle) {
    this.video = new VideoStage({
      maxFrameBytes: DEFAULT_MAX_NAL_BYTES,
      onUnit: (u) => {
        if (!u.hasVcl) return;
        const parts: Uint8Array[] = [];
        for (const nal of u.nals) parts.push(START_CODE_4, nal);
        this.queue.push({ data: Buffer.concat(parts), spsFps: this.video.config()?.fps });
      },
    });
    this.splitter = new AnnexBSplitter((e) => this.video.push(e));
  }

  async next(): Promise<ReadFrame | undefined> {
    while (this.queue.length < FRAMES_AHEAD && !this.eof) {
      const buf = Buffer.allocUnsafe(READ_BYTES);
      const { bytesRead } = await this.fh.read(buf, 0, READ_BYTES, this.position);
      this.position += bytesRead;
      if (bytesRead === 0) {
        this.eof = true;
        this.splitter.flush();
        this.video.end();
      } else {
        this.splitter.push(buf.subarray(0, bytesRead), 0);
      }
    }
    return this.queue.shift();
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Splits an ADTS file into frames with their sample-time offsets. */
export async function loadAudio(path: string): Promise<TimedFrame[]> {
  const out: TimedFrame[] = [];
  let samples = 0;
  const parser = new AdtsParser((e) => {
    out.push({ atMs: (samples * 1000) / e.header.sampleRateHz, durationMs: (e.header.samples * 1000) / e.header.sampleRateHz, data: e.frame });
    samples += e.header.samples;
  });
  parser.push(await readFile(path), 0);
  // The parser holds the last frame until the next header confirms it; end of file does.
  parser.flush();
  return out;
}
