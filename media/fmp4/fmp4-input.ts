/**
 * What the fMP4 muxer takes: codec-neutral samples with 90 kHz timestamps, the shape both
 * the MPEG-TS demuxer (PES PTS/DTS, Annex-B payload) and the Annex-B path (access units
 * with a media clock) can produce. Times are 90 kHz ticks on one clock for both tracks
 * (the clock of MPEG-TS PTS/DTS), non-negative safe integers, already unwrapped past 2^33.
 */

/** One coded picture, in decode order. */
export interface VideoSample {
  /** Decode time, 90 kHz ticks; strictly increasing within a segment. */
  dts: number;
  /** Presentation time, 90 kHz ticks (pts - dts is the composition offset; B-frames have pts > dts). */
  pts: number;
  /** A random-access point (H.264 IDR, H.265 IRAP): written as a sync sample. */
  isSync: boolean;
  /**
   * The access unit's NAL units without start codes, header byte(s) included (the Annex-B
   * splitter's units, or `annexBNalUnits()` of a PES payload). Parameter sets and AUDs are
   * left out of the sample (hvc1/avc1 keep them in the init segment); the rest is written
   * with a 4-byte length in front of each unit.
   */
  nals: readonly Uint8Array[];
}

/** One AAC frame. */
export interface AudioSample {
  /** Presentation time of its first PCM sample, 90 kHz ticks. */
  pts: number;
  /** The raw AAC frame (raw_data_block) without its ADTS header or CRC. */
  data: Uint8Array;
}

/** One HLS media segment's samples. */
export interface SegmentInput {
  /** At least one picture; the first should be a sync sample (a player starts there). */
  video: readonly VideoSample[];
  /** AAC frames whose pts fall in this segment (any order they came in, sorted by pts). */
  audio?: readonly AudioSample[];
  /**
   * Decode time of the first picture after this segment (the next segment's first dts):
   * gives the last picture its exact duration, so decode times run on without a gap. When
   * absent the last picture lasts as long as the one before it.
   */
  videoEndDts?: number;
}
