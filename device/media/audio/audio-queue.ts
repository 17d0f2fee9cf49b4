import { copyBytes } from '../bytes.ts';
import { AudioTimeline } from '../clock/audio-timeline.ts';

/** One ADTS frame (header included) waiting for its segment, with its presentation time. */
export interface QueuedAudio {
  readonly frame: Uint8Array;
  readonly ticks: number;
  /** One frame's duration (90 kHz): samples / rate. */
  readonly durationTicks?: number;
  /** The time is the source's own (or a file's sample count), not arrival: see AudioTimeline. */
  readonly sourceTimed?: boolean;
}

/** How far back an arrival-timed frame may be moved forward to the end of the last one (125 ms: the arrival smoothing's reach). */
const MAX_SNAP_BACK_TICKS = 125 * 90;

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
  /** Audio decode times never go back: where each handed-out frame goes (see AudioTimeline). */
  private readonly timeline = new AudioTimeline({ maxSnapBackTicks: MAX_SNAP_BACK_TICKS });

  constructor(private readonly cap: { frames: number } | { bytes: number }) {}

  get length(): number {
    return this.q.length;
  }

  /** Frames dropped because they overlapped audio already handed out (a source clock that stepped back). */
  get overlapped(): number {
    return this.timeline.droppedFrames;
  }

  /** The video clock itself went back: audio follows it from here. */
  restartTimeline(): void {
    this.timeline.restart();
  }

  /** Queues a copy of `frame`; returns the bytes dropped to stay under the cap. */
  push(frame: Uint8Array, ticks: number, durationTicks = 0, sourceTimed = true): number {
    this.q.push({ frame: copyBytes(frame), ticks, durationTicks, sourceTimed });
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
   * Hands out the frames timed before `beforeTicks`, each placed on the audio timeline
   * (never back in time; within half a frame of the last end it is snapped there), in
   * groups of up to 8 frames that follow each other exactly (a decoder times the later
   * frames of a PES by their sample count from its PTS). Frames older than `fromTicks`
   * (before the segment) or overlapping audio already handed out are dropped (`onDropped`).
   * Returns the number of frames handed out.
   */
  takeBefore(beforeTicks: number, fromTicks: number, write: (group: readonly QueuedAudio[]) => void, onDropped: (bytes: number) => void = () => {}): number {
    const q = this.q;
    let group: QueuedAudio[] = [];
    let taken = 0;
    const flush = () => {
      if (!group.length) return;
      write(group);
      taken += group.length;
      group = [];
    };
    let i = 0;
    for (; i < q.length && q[i]!.ticks < beforeTicks; i++) {
      const f = q[i]!;
      this.bytes -= f.frame.byteLength;
      if (f.ticks < fromTicks) continue;
      const at = this.timeline.place(f.ticks, f.durationTicks ?? 0, f.sourceTimed ?? true);
      if (!at) {
        onDropped(f.frame.byteLength);
        continue;
      }
      if (!at.contiguous || group.length >= MAX_FRAMES_PER_GROUP) flush();
      group.push(at.ticks === f.ticks ? f : { ...f, ticks: Math.round(at.ticks) });
    }
    flush();
    if (i) this.q = q.slice(i);
    return taken;
  }
}
