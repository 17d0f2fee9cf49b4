import { copyBytes } from '../bytes.ts';

/** One ADTS frame (header included) waiting for its segment, with its presentation time. */
export interface QueuedAudio {
  readonly frame: Uint8Array;
  readonly ticks: number;
}

/** Live audio waiting for video (no open segment): at most this many frames (~10 s at 48 kHz). */
export const MAX_QUEUED_LIVE_AUDIO_FRAMES = 512;
/** Files: audio read ahead of video, at most this many bytes (a reader keeps them in step well under it). */
export const MAX_QUEUED_FILE_AUDIO_BYTES = 8 * 1024 * 1024;
/** Frames per group handed to the muxer (one MPEG-TS PES). */
const MAX_FRAMES_PER_GROUP = 8;

/**
 * AAC frames between the parser and the muxer: each waits until the video it belongs
 * with is muxed (audio goes with the segment whose key frame's decode time it follows).
 * Frames are copies (callers may reuse their chunks). Bounded: live by frame count,
 * files by bytes; past the cap the oldest go first, and `push` returns the bytes dropped.
 */
export class AudioQueue {
  private q: QueuedAudio[] = [];
  private bytes = 0;
  /** Time of the last frame handed out: audio stays monotonic. */
  private lastTakenTicks = -Infinity;

  constructor(private readonly cap: { frames: number } | { bytes: number }) {}

  get length(): number {
    return this.q.length;
  }

  /** Queues a copy of `frame`; returns the bytes dropped to stay under the cap. */
  push(frame: Uint8Array, ticks: number): number {
    this.q.push({ frame: copyBytes(frame), ticks });
    this.bytes += frame.byteLength;
    let dropped = 0;
    while ('frames' in this.cap ? this.q.length > this.cap.frames : this.bytes > this.cap.bytes) {
      const d = this.q.shift()!;
      this.bytes -= d.frame.byteLength;
      dropped += d.frame.byteLength;
    }
    return dropped;
  }

  clear(): void {
    this.q = [];
    this.bytes = 0;
  }

  /**
   * Hands out, in groups of up to 8, the frames timed before `beforeTicks`; frames older
   * than `fromTicks` (before the segment) or not after the last one handed out are
   * dropped. Returns the number of frames handed out.
   */
  takeBefore(beforeTicks: number, fromTicks: number, write: (group: readonly QueuedAudio[]) => void): number {
    const q = this.q;
    let i = 0;
    let taken = 0;
    while (i < q.length && q[i]!.ticks < beforeTicks) {
      if (q[i]!.ticks < fromTicks || q[i]!.ticks <= this.lastTakenTicks) {
        i++;
        continue;
      }
      const from = i;
      while (i < q.length && q[i]!.ticks < beforeTicks && i - from < MAX_FRAMES_PER_GROUP) {
        this.lastTakenTicks = q[i]!.ticks;
        i++;
      }
      write(q.slice(from, i));
      taken += i - from;
    }
    if (i) {
      for (let k = 0; k < i; k++) this.bytes -= q[k]!.frame.byteLength;
      this.q = q.slice(i);
    }
    return taken;
  }
}
