import { open, readFile, type FileHandle } from 'node:fs/promises';
import { SourceError } from '../core/agent-errors.ts';
import { AdtsParser } from '../../media/aac/adts-parser.ts';
import { AnnexBSplitter, DEFAULT_MAX_NAL_BYTES } from '../../media/bitstream/annexb-splitter.ts';
import { START_CODE_4 } from '../../media/h264/nal-unit-type.ts';
import { joinNals } from '../media/bytes.ts';
import { VideoStage } from '../media/video/video-stage.ts';
import type { AssembledUnit, VideoCodec } from '../media/video/video-unit.ts';
import type { KeyframePictures } from './ffmpeg-args.ts';
import { KeyframeSnapshots } from './keyframe-snapshots.ts';
import type { MediaInput, MediaSource } from './media-input.ts';
import { RawParameterSets } from './raw-parameter-sets.ts';

export interface FileSourceOptions {
  videoPath: string;
  audioPath?: string;
  /** Frames per second. @default the SPS frame rate (VUI timing); without one the source fails, saying to set it. */
  fps?: number;
  loop: boolean;
  now?: () => number;
  /** Keyframe pictures decoded on demand by an ffmpeg child (see KeyframeSnapshots). @default none */
  pictures?: { ffmpegPath: string; pictures: KeyframePictures };
}

/**
 * Bytes read from the video file at a time. Each read is a trip through libuv's thread
 * pool and one more wake-up of the process: 512 KiB (under a second of a 5 Mbit/s stream)
 * reads about once a second where 128 KiB read five times.
 */
const READ_BYTES = 512 * 1024;
/** Frames parsed ahead of the one being fed (about a second at 25 fps). */
const FRAMES_AHEAD = 25;
/**
 * Shortest time between two wake-ups of the source: frames that come due within it are
 * handed over together, at most this late (their capture times are unchanged). Waking once
 * per frame costs a Node process more than the frame's own work (a bare loop waking 25
 * times a second: 0.65 % of a core); 200 ms keeps the source at 5 wake-ups a second
 * (bench:agent A/B: a 100 ms build beside it used 1.08x its CPU), far inside a segment (2 s or more), so
 * segments close no later than the usual upload jitter.
 */
export const FILE_SOURCE_PACE_MS = 200;

/** A frame with its offset from the start of one pass of the file (ms). */
interface TimedFrame {
  atMs: number;
  durationMs: number;
  data: Uint8Array;
}

/** An access unit read from the file, with the frame rate of the SPS it came with (if any). */
interface ReadFrame {
  /** As the assembler split it; its NAL units (no start codes) are views of the file bytes. */
  unit: AssembledUnit;
  nals: readonly Uint8Array[];
  spsFps?: number;
  /** A keyframe: its codec and the parameter sets in force (to decode it alone). */
  key?: { codec: VideoCodec; sets: readonly Uint8Array[] };
}

/**
 * A raw H.264 or H.265 (Annex B) file, optionally with an ADTS AAC file, played in real
 * time: frame n (in decode order) at start + n / fps (fps as configured, else from the
 * SPS), audio frame k at its sample time. Each frame goes in with that capture time, as
 * camera firmware calls putVideoFrame (an H.265 stream's B-frames get their presentation
 * times from their picture order count in the segmenter), as the access unit assembled
 * here (putVideoAssembled, when the input has it: the source only finds frame boundaries,
 * by the segmenter's own assembler, and the segmenter's parser reads each unit once; else
 * putVideoNals, else putVideoFrame). With `loop`, the file plays again from the start and the time line
 * continues; audio that would run past the video's end is left out at each pass, so two
 * passes never overlap (an audio file a few ms longer than the video, as AAC's 1024-sample
 * frames make it, would otherwise put two audio frames on the same instant at every loop).
 * Memory: the video is read 512 KiB at a time, about a second of frames ahead; the audio
 * file (small) is read whole. With `pictures`, keyframes the input wants a picture of are
 * decoded by a short ffmpeg child (KeyframeSnapshots).
 */
export class FileSource implements MediaSource {
  private stopped = false;
  private done: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** When the source last slept until a frame's time (ms, `now()`'s clock). */
  private lastWakeMs = -Infinity;
  private readonly snapshots: KeyframeSnapshots | undefined;

  constructor(
    private readonly input: MediaInput,
    private readonly o: FileSourceOptions,
  ) {
    this.snapshots = o.pictures ? new KeyframeSnapshots(input, o.pictures) : undefined;
  }

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
          // Frames parsed ahead are taken without an await: one hop per wake-up, not per frame.
          const frame = video.buffered ? video.take() : await video.next();
          if (frame && frameMs === undefined) {
            if (!frame.spsFps)
              throw new Error('the video stream has no frame rate in its SPS (VUI timing): set source.fps in device.json (camrec local: --fps N)');
            frameMs = 1000 / frame.spsFps;
          }
          const vAt = n * (frameMs ?? 0);
          // Audio frames due before this video frame go first; at the end of the video, the
          // ones that end within it (none overlaps the next pass).
          while (a < audio.length && audioDue(audio[a]!, frame !== undefined, vAt) && !this.stopped) {
            const wait = this.waitUntil(epoch + audio[a]!.atMs, now);
            if (wait) await wait;
            this.input.putAudioFrame(audio[a]!.data, epoch + audio[a]!.atMs);
            a++;
          }
          if (!frame) break;
          const wait = this.waitUntil(epoch + vAt, now);
          if (wait) await wait;
          if (this.stopped) return;
          // The access unit as assembled here (the segmenter's parser reads it without
          // assembling it again), else its NAL units, else the access unit in Annex B.
          if (this.input.putVideoAssembled) this.input.putVideoAssembled(frame.unit, epoch + vAt);
          else if (this.input.putVideoNals) this.input.putVideoNals(frame.nals, epoch + vAt);
          else this.input.putVideoFrame(video.annexB(frame.nals), epoch + vAt);
          const key = frame.key;
          if (key && this.snapshots)
            this.snapshots.offer(key.codec, () => Buffer.concat([...key.sets.flatMap((n) => [START_CODE_4, n]), video.annexB(frame.nals)]), epoch + vAt);
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
   * Waits for a frame's time, and at least FILE_SOURCE_PACE_MS after the last wake-up, with
   * one plain timer (stop() wakes it early): frames are never handed over before their
   * time, and those due within one pace go together. Timers/promises with an
   * AbortController per wait cost twice the CPU of this (signal, listener, DOMException).
   */
  private waitUntil(atMs: number, now: () => number): Promise<void> | undefined {
    const t = now();
    if (atMs - t <= 1) return undefined;
    const wait = Math.max(atMs, this.lastWakeMs + FILE_SOURCE_PACE_MS) - t;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.lastWakeMs = now();
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
  /** The buffers file bytes were read into (each its own ArrayBuffer, never reused). */
  private readonly reads = new WeakSet<ArrayBufferLike>();

  private readonly sets = new RawParameterSets();

  constructor(private readonly fh: FileHandle) {
    // Assemble only: frame boundaries by the segmenter's own rule, no parser here (the
    // segmenter's reads each unit once); the few units with parameter sets are read for pacing and pictures.
    this.video = new VideoStage({
      maxFrameBytes: DEFAULT_MAX_NAL_BYTES,
      onUnit: () => undefined,
      onAssembled: (unit) => {
        const { spsFps, key } = this.sets.read(unit);
        if (!unit.au.hasVcl) return;
        this.queue.push({ unit, nals: unit.au.nals, spsFps, key });
      },
    });
    this.splitter = new AnnexBSplitter((e) => this.video.push(e));
  }

  /** Enough frames parsed ahead (or the file ended) that `take()` needs no read. */
  get buffered(): boolean {
    return this.eof || this.queue.length >= FRAMES_AHEAD;
  }

  /** The next frame parsed ahead, without reading. */
  take(): ReadFrame | undefined {
    return this.queue.shift();
  }

  async next(): Promise<ReadFrame | undefined> {
    while (this.queue.length < FRAMES_AHEAD && !this.eof) {
      const buf = Buffer.allocUnsafeSlow(READ_BYTES);
      this.reads.add(buf.buffer);
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

  /** An access unit of this file in Annex B: a view of the file bytes when they lie together, else joined. */
  annexB(nals: readonly Uint8Array[]): Uint8Array {
    return contiguousAccessUnit(nals, this.reads) ?? joinNals(nals);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/**
 * The access unit as one view of the file bytes it was read in (no copy), when its NAL units
 * lie back to back in one of `reads` (whole buffers the file was read into) with only start
 * codes between them: the usual case. A frame straddling two reads (its pieces were joined
 * by the splitter), or one with a NAL unit left out, is joined instead.
 */
export function contiguousAccessUnit(nals: readonly Uint8Array[], reads: WeakSet<ArrayBufferLike>): Uint8Array | undefined {
  const first = nals[0];
  if (!first || first.byteOffset < 3 || !reads.has(first.buffer)) return undefined;
  const buf = first.buffer;
  const whole = new Uint8Array(buf);
  let start = first.byteOffset - 3;
  if (whole[start] !== 0 || whole[start + 1] !== 0 || whole[start + 2] !== 1) return undefined;
  if (start > 0 && whole[start - 1] === 0) start--;
  let end = first.byteOffset + first.byteLength;
  for (let i = 1; i < nals.length; i++) {
    const n = nals[i]!;
    const gap = n.byteOffset - end;
    // Between two NAL units: a 3- or 4-byte start code (a trailing zero or more are rare: joined then).
    if (n.buffer !== buf || gap < 3 || gap > 4 || whole[n.byteOffset - 1] !== 1 || whole[n.byteOffset - 2] !== 0 || whole[n.byteOffset - 3] !== 0)
      return undefined;
    if (gap === 4 && whole[end] !== 0) return undefined;
    end = n.byteOffset + n.byteLength;
  }
  return new Uint8Array(buf, start, end - start);
}

/** An audio frame is due before the video frame at `videoAtMs`; at the end of the video (`more` false), when it ends within it. */
function audioDue(f: TimedFrame, more: boolean, videoAtMs: number): boolean {
  return more ? f.atMs <= videoAtMs : f.atMs + f.durationMs <= videoAtMs + 0.5;
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
