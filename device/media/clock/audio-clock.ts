import { adtsFrameTicks, type AdtsHeader } from '../../../media/aac/adts-header.ts';
import { PTS_HZ } from '../../../media/ts/ts-constants.ts';
import { FILE_START_TICKS } from './raw-video-clock.ts';

const TICKS_PER_MS = PTS_HZ / 1000;
/** Arrival times within this of the expected time are smoothed, not taken raw. */
const ARRIVAL_SMOOTHING_WINDOW_MS = 1000;
const ARRIVAL_SMOOTHING_GAIN = 1 / 8;

export interface AudioFrameTime {
  /** Presentation time of the frame's first sample (90 kHz). */
  ticks: number;
  /** Where audio received so far ends (90 kHz): video before it has its audio in hand. */
  coveredTicks: number;
}

/**
 * Time for AAC frames. Files ('frame-rate' timing): by sample count from the file's start
 * (`FILE_START_TICKS`), as video counts frames. Live: the capture time given
 * (putAudioFrame with a time) as it is, or the arrival time smoothed toward one frame after
 * the previous (frames read in bursts from a pipe do not share a time).
 */
export class AudioClock {
  private samples = 0;
  private nextMs: number | undefined;

  constructor(private readonly byFrameCount: boolean) {}

  next(h: Pick<AdtsHeader, 'samples' | 'sampleRateHz'>, arrivalMs: number, explicit: boolean): AudioFrameTime {
    const frameTicks = adtsFrameTicks(h);
    if (this.byFrameCount) {
      const ticks = FILE_START_TICKS + Math.round((this.samples * PTS_HZ) / h.sampleRateHz);
      this.samples += h.samples;
      return { ticks, coveredTicks: FILE_START_TICKS + Math.round((this.samples * PTS_HZ) / h.sampleRateHz) };
    }
    let ms = arrivalMs;
    const expected = this.nextMs;
    if (!explicit && expected !== undefined) {
      const diff = ms - expected;
      if (Math.abs(diff) < ARRIVAL_SMOOTHING_WINDOW_MS) ms = expected + diff * ARRIVAL_SMOOTHING_GAIN;
    }
    this.nextMs = ms + (h.samples * 1000) / h.sampleRateHz;
    this.samples += h.samples;
    const ticks = Math.round(ms * TICKS_PER_MS);
    return { ticks, coveredTicks: ticks + frameTicks };
  }
}
