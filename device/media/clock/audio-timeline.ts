/**
 * Where each audio frame goes on the segment's audio timeline (90 kHz ticks), so that
 * audio decode times always rise, in any player, across PES packets, segments and
 * reconnects.
 *
 * Why it is needed: a TS muxer puts several ADTS frames in one PES under the first
 * frame's PTS, and every decoder (ffmpeg, hls.js, AVPlayer) times the later frames of
 * that PES by their sample count (PTS + k x frame duration). So two PES whose PTS rise
 * are still wrong when the first one's frames reach past the second one's PTS: that is
 * audio going back in time ("non monotonically increasing dts" in ffmpeg). A source's
 * times do that when its clock steps back: ffmpeg's RTSP demuxer re-bases a stream's
 * times when the first RTCP sender report arrives, and on a loaded machine that is after
 * it has handed out the first packets; the ffmpeg CLI then re-stamps the stepped-back
 * packets at the last time + 1 tick, + 2 ticks, ... (frames 1 tick apart). Arrival-timed
 * audio (a pipe) jitters the same way on a smaller scale.
 *
 * The rule, per frame of `durationTicks` (1024 samples: 21.3 ms at 48 kHz), against the
 * end of the last frame placed (`end`):
 * - within half a frame of `end`: placed at `end` exactly (contiguous: it may share the
 *   previous frame's PES);
 * - later than that: placed at its own time (a gap: it starts a PES of its own);
 * - earlier than that (it overlaps audio already placed): dropped when its time is the
 *   source's own (the source's clock stepped back: its slot is taken, and keeping it
 *   would shift every later frame off the video); arrival-timed frames (no clock of
 *   their own) within `maxSnapBackTicks` are moved to `end` instead, further back they
 *   are dropped too.
 * Pure: no clock is read.
 */
export interface AudioPlacement {
  /** Presentation time (90 kHz ticks, may hold a fraction: round when writing). */
  ticks: number;
  /** Starts exactly where the previous placed frame ended: may go in its PES. */
  contiguous: boolean;
}

export interface AudioTimelineOptions {
  /** Arrival-timed frames this far before the end of the last frame are moved to it, not dropped. @default 0 */
  readonly maxSnapBackTicks?: number;
}

export class AudioTimeline {
  private end: number | undefined;
  /** Frames dropped because they overlapped audio already placed. */
  droppedFrames = 0;

  constructor(private readonly o: AudioTimelineOptions = {}) {}

  /** End (90 kHz ticks) of the last frame placed, or undefined before the first. */
  get endTicks(): number | undefined {
    return this.end;
  }

  /** The source's clock went back on purpose (a clock step, with the video): start again from the next frame. */
  restart(): void {
    this.end = undefined;
  }

  /**
   * Places a frame given at `ticks` lasting `durationTicks`; `sourceTimed` when the time is
   * the source's own (not arrival). Returns undefined when the frame is to be dropped.
   */
  place(ticks: number, durationTicks: number, sourceTimed: boolean): AudioPlacement | undefined {
    const end = this.end;
    const half = durationTicks / 2;
    let out: AudioPlacement;
    if (end === undefined || ticks > end + half) {
      out = { ticks, contiguous: false };
    } else if (ticks >= end - half || (!sourceTimed && ticks >= end - (this.o.maxSnapBackTicks ?? 0))) {
      out = { ticks: end, contiguous: true };
    } else {
      this.droppedFrames++;
      return undefined;
    }
    this.end = out.ticks + durationTicks;
    return out;
  }
}
