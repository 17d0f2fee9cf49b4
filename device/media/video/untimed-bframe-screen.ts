import { UnsupportedStreamError } from '../../../media/media-error.ts';
import type { VideoUnit } from './video-unit.ts';

/** The refusal of an H.264 B-frame stream without timestamps, with the fix. */
export function untimedBFramesError(): UnsupportedStreamError {
  return new UnsupportedStreamError(
    'the H.264 stream has B-frames but no timestamps to reorder them by (raw Annex-B): nothing of it is recorded. ' +
      'Feed it with timestamps (RTSP, a container file such as .mp4/.mkv/.ts, or putVideoFrame(au, ptsMs, dtsMs)), ' +
      'or configure the encoder without B-frames (x264/ffmpeg: -bf 0 or -tune zerolatency; cameras: baseline profile or "B-frames off")',
  );
}

/** What the screen asks of the segmenter. */
export interface BFrameScreenHooks {
  /** Drop a frame (counted), keeping its clock slot. */
  drop(u: VideoUnit): void;
  /** A frame is held back: its clock slot is kept. */
  skipSlot(): void;
  /** Handle a frame as corrupt input (reported; the open segment closes at the last good frame). */
  corrupt(u: VideoUnit, why: string): void;
  /** Refuse the stream: throws UnsupportedStreamError (nothing of the stream is kept). */
  refuse(u: VideoUnit): never;
}

/**
 * H.264 without timestamps (raw Annex-B) cannot carry B-frames: there is no decode order
 * to rebuild presentation times from (H.265 has its POC, see `poc-reorder.ts`). A
 * well-formed B access unit (`bSlice: 'well-formed'`) makes the screen hold frames back to
 * learn which it is: a second one in the GOP is a B-frame stream, refused once with the
 * fix; a key frame with no second one means the first was corrupt bytes, handled as
 * corrupt input. A malformed B slice is corrupt input at once.
 */
export class UntimedBFrameScreen {
  private suspect: VideoUnit | undefined;

  constructor(private readonly hooks: BFrameScreenHooks) {}

  /** True when the screen took care of `u` (held, dropped, reported or refused); false: pass it on. */
  screen(u: VideoUnit): boolean {
    if (this.suspect) {
      if (u.bSlice === 'well-formed') {
        this.suspect = undefined;
        this.hooks.refuse(u);
      }
      if (!u.isKey) {
        this.hooks.drop(u);
        return true;
      }
      this.settle();
    }
    if (!u.bSlice) return false;
    if (u.bSlice === 'malformed') {
      this.hooks.corrupt(u, `frame at byte ${u.offset} has a B slice that names no known PPS (or a Baseline SPS) (corrupt bytes, or B-frames)`);
      return true;
    }
    this.suspect = u;
    this.hooks.skipSlot();
    return true;
  }

  /** A held-back lone B access unit turned out to be corrupt input (a key frame came, the encoder changed, or the segment is cut). */
  settle(): void {
    const b = this.suspect;
    if (!b) return;
    this.suspect = undefined;
    this.hooks.corrupt(b, `frame at byte ${b.offset} has a B slice (corrupt bytes, or B-frames)`);
  }
}
