import type { Logger } from '../core/json-logger.ts';
import type { ImageCommitter } from './image-committer.ts';

/** What the recording is doing now: pictures follow it (in event mode, only while an event records). */
export interface RecordingNow {
  readonly recording: () => boolean;
  readonly paused: () => boolean;
}

/**
 * Which keyframe pictures to keep (pure): the first one after an event starts, and one per
 * interval slot of wall-clock time (`floor(tsMs / intervalMs)`), so the cadence holds at
 * exactly one per interval on average whatever the GOP length, and a restart does not
 * shift it. `intervalMs` 0 keeps event pictures only.
 */
export class PictureSchedule {
  private lastSlot: number | undefined;
  private eventPending = false;

  constructor(private intervalMs: number) {}

  /** An event started: the next picture is its picture. */
  eventStarted(): void {
    this.eventPending = true;
  }

  /** Whether a picture of the keyframe at `tsMs` would be kept, without taking its place (a source that decodes on demand asks first). */
  wants(tsMs: number, recording: boolean): boolean {
    if (this.eventPending) return true;
    if (!recording || this.intervalMs <= 0) return false;
    return this.lastSlot === undefined || Math.floor(tsMs / this.intervalMs) > this.lastSlot;
  }

  /** Whether to keep the picture of the keyframe at `tsMs` ('event', 'interval' or undefined). */
  offer(tsMs: number, recording: boolean): 'event' | 'interval' | undefined {
    if (this.eventPending) {
      this.eventPending = false;
      return 'event';
    }
    if (!recording || this.intervalMs <= 0) return undefined;
    const slot = Math.floor(tsMs / this.intervalMs);
    if (this.lastSlot !== undefined && slot <= this.lastSlot) return undefined;
    this.lastSlot = slot;
    return 'interval';
  }
}

export interface KeyframePicturesOptions {
  readonly intervalMs: number;
  readonly images: ImageCommitter;
  readonly now: RecordingNow;
  readonly log: Logger;
  readonly onError: (err: Error) => void;
}

/**
 * Keyframe pictures from a source that decodes keyframes (an ffmpeg-fed source: one per
 * keyframe, see sources/ffmpeg-args.ts; a raw Annex-B file: only those `wants()` asks
 * for, see sources/keyframe-snapshots.ts) -> the few the schedule keeps, encrypted and queued like any
 * picture. The rest are dropped at once: at most one picture is being committed at a time
 * (a slow disk drops pictures, never holds memory).
 */
export class KeyframePictures {
  private readonly schedule: PictureSchedule;
  private busy = false;

  constructor(private readonly o: KeyframePicturesOptions) {
    this.schedule = new PictureSchedule(o.intervalMs);
  }

  eventStarted(): void {
    this.schedule.eventStarted();
  }

  /** Whether a picture of the keyframe at `tsMs` would be kept now (nothing changes). */
  wants(tsMs: number): boolean {
    return !this.o.now.paused() && !this.busy && this.schedule.wants(tsMs, this.o.now.recording());
  }

  offer(jpeg: Uint8Array, tsMs: number): void {
    if (this.o.now.paused() || this.busy) return;
    const why = this.schedule.offer(tsMs, this.o.now.recording());
    if (!why) return;
    let checked;
    try {
      checked = this.o.images.check(jpeg, tsMs);
    } catch (err) {
      this.o.log.warn('keyframe picture refused', { err });
      return;
    }
    this.busy = true;
    this.o.images
      .commit(jpeg, checked)
      .then((objectKey) => this.o.log.debug('keyframe picture', { objectKey, why }))
      .catch((err: Error) => {
        this.o.onError(err);
        this.o.log.error('keyframe picture not recorded', { err });
      })
      .finally(() => (this.busy = false));
  }
}
