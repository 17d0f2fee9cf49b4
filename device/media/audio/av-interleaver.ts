/** Live video waits for audio at most this far behind it (90 kHz): 1 s. */
const MAX_LIVE_AUDIO_WAIT_TICKS = 90_000;
/** ... and for announced audio's first frame at most this long: 2 s. */
const MAX_AUDIO_START_WAIT_TICKS = 180_000;

/** What the interleaver needs of a video frame. */
export interface InterleavedFrame {
  readonly dts: number;
  /** Input bytes it holds (the held total is capped). */
  readonly bytes: number;
  /** Stream offset of its first byte (for `heldFrom`). */
  readonly offset: number;
}

/**
 * Video waits for audio to catch up, so a segment is cut with its audio in hand (audio
 * that came after the cut would belong to a finished segment and be lost). Files wait
 * as long as audio comes (the reader feeds audio while `waiting`); live sources wait only
 * while audio is flowing and at most 1 s behind (a transcoder's delay, a muxer's
 * interleaving), or up to 2 s for announced audio's first frame: audio further behind,
 * or gone, lets video through. Held video is capped at `maxHeldBytes` (audio that never
 * catches up must not hold video without bound).
 */
export class AvInterleaver<F extends InterleavedFrame> {
  private held: F[] = [];
  private heldBytes = 0;
  /** Where received audio ends (90 kHz). */
  private coveredTicks = -Infinity;
  private haveAudio = false;
  /** Audio is on its way (a transcoder starting) but has not come yet. */
  private expected = false;
  /** No more audio will come (files at their end). */
  private ended = false;
  audioOn: boolean;

  constructor(
    private readonly place: (f: F) => void,
    private readonly maxHeldBytes: number,
    audioOn: boolean,
  ) {
    this.audioOn = audioOn;
  }

  /** True while video frames wait for audio. */
  get waiting(): boolean {
    return this.held.length > 0;
  }

  /** Stream offset of the oldest frame held, or Infinity. */
  get heldFrom(): number {
    let from = Number.POSITIVE_INFINITY;
    for (const h of this.held) if (h.offset < from) from = h.offset;
    return from;
  }

  /** Audio announced (live): video waits a little for its first frame. */
  expect(): void {
    if (this.audioOn && !this.haveAudio) this.expected = true;
  }

  /** An audio frame came, covering audio up to `coveredTicks`: held video that has its audio now goes on. Returns true when video was held. */
  audio(coveredTicks: number): boolean {
    this.haveAudio = true;
    this.coveredTicks = coveredTicks;
    if (!this.held.length) return false;
    this.release();
    return true;
  }

  /** No more audio (files): everything held goes on. */
  end(): void {
    this.ended = true;
    this.release();
  }

  /** A video frame: placed now, or held until its audio came. `live`: a source with its own pace (not a file under frame-rate timing). */
  offer(f: F, live: boolean): void {
    if (!this.waits(f.dts, live)) {
      this.place(f);
      return;
    }
    this.held.push(f);
    this.heldBytes += f.bytes;
    if (this.heldBytes > this.maxHeldBytes) this.release(true);
  }

  /** Held frames that have their audio (or all) go on, oldest first. */
  release(all = false): void {
    while (this.held.length && (all || this.ended || this.held[0]!.dts < this.coveredTicks)) {
      const f = this.held.shift()!;
      this.heldBytes -= f.bytes;
      this.place(f);
    }
  }

  private waits(dts: number, live: boolean): boolean {
    if (!this.audioOn || this.ended) return false;
    if (live) {
      if (!this.haveAudio && this.expected) {
        // Audio announced but not here yet (a transcoder starting): wait, but not for ever.
        if (dts - (this.held[0]?.dts ?? dts) <= MAX_AUDIO_START_WAIT_TICKS) return true;
        this.expected = false;
      }
      if (!this.haveAudio || dts - this.coveredTicks > MAX_LIVE_AUDIO_WAIT_TICKS) {
        if (this.held.length) this.release(true);
        return false;
      }
    }
    return this.held.length > 0 || dts >= this.coveredTicks;
  }
}
