import type { AudioSample, VideoSample } from '../fmp4/fmp4-input.ts';
import type { AacConfig } from '../fmp4/audio-specific-config.ts';
import type { VideoTrack } from '../fmp4/tracks.ts';

/**
 * One recorded segment, decrypted and read by a container adapter (MPEG-TS today; fMP4
 * with its init segment is another adapter beside it): its samples in decode order with
 * 90 kHz times unwrapped within the segment, and what a track needs. The clip writer
 * takes only this shape, so a new container or codec is a new adapter, not a change to
 * the writer.
 */
export interface SegmentSamples {
  /** Pictures in decode order; the first should be a sync sample. */
  video: VideoSample[];
  /** AAC frames in presentation order (empty when the segment has no audio). */
  audio: AudioSample[];
  /** Builds the video track from the segment's parameter sets. */
  videoTrack(): VideoTrack;
  /**
   * Identifies the video configuration, `{codec}:{decoder config record in hex}` in every
   * reader: two segments with the same value fit one track (whatever their container). A
   * clip refuses a change (it would need a second sample description, fixed in `moov`
   * before the change is read).
   */
  videoConfigKey: string;
  /** The AAC configuration from the first ADTS header, when the segment has audio. */
  audioConfig?: AacConfig;
  /** Corrupt or lost input the adapter skipped (counted, as the streaming parsers do). */
  problems: string[];
}

/** An input adapter: decrypted segment bytes in, samples out. */
export type SegmentReader = (segment: Uint8Array) => SegmentSamples;
