import type { PictureRule } from '../bitstream/picture-rule.ts';
import { isVcl, nalType, START_CODE_4 } from './nal-unit-type.ts';

/** A picture in Annex B with its times. */
export interface TimedPicture<T> {
  data: Uint8Array;
  time: T;
}

/** H.264: a first slice with first_mb_in_slice > 0 continues a picture. */
export const AVC_PICTURE_RULE: PictureRule = { continuesPicture, isSlice: (nal) => isVcl(nalType(nal)) };

/**
 * Joins pictures that arrive in pieces. Cameras that code a picture as several slices may
 * send each slice group as its own RTP packet, and ffmpeg's RTSP demuxer hands them on as
 * separate packets with the same timestamp (ffmpeg then adds a tick to keep DTS rising);
 * its TS muxer puts an AUD, and before a key frame SPS and PPS, in front of each, so each
 * looks like a picture of its own. A piece whose first slice does not start at macroblock
 * 0 (first_mb_in_slice > 0, H.264 7.4.3) continues the picture before it: its slices are
 * appended to it and its own AUD/SPS/PPS and times are dropped.
 *
 * A piece whose picture's start never came (ffmpeg drops a connection's first packet
 * when it has no timestamp) is dropped: half a picture is no picture.
 *
 * A picture is handed on when the next one starts (or at flush()): one frame of latency.
 * The rule is the codec's (H.264 here; H.265's `HEVC_PICTURE_RULE` reads
 * first_slice_segment_in_pic_flag the same way).
 */
export class SliceJoiner<T> {
  private pending: { parts: Uint8Array[]; time: T } | undefined;
  /** Pieces dropped because the start of their picture never came (e.g. the first packet of a connection). */
  droppedPieces = 0;

  constructor(
    private readonly emit: (p: TimedPicture<T>) => void,
    /** The codec's rule; may be changed between pictures (a PMT announced another codec). */
    public rule: PictureRule = AVC_PICTURE_RULE,
  ) {}

  push(annexB: Uint8Array, time: T): void {
    if (this.rule.continuesPicture(annexB)) {
      if (!this.pending) {
        this.droppedPieces++; // half a picture is no picture: the segmenter resyncs at the next IDR
        return;
      }
      for (const nal of nalUnits(annexB)) {
        if (this.rule.isSlice(nal)) this.pending.parts.push(START_CODE_4, nal);
      }
      return;
    }
    this.flush();
    this.pending = { parts: [annexB], time };
  }

  flush(): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    this.emit({ data: p.parts.length === 1 ? p.parts[0]! : Buffer.concat(p.parts), time: p.time });
  }
}

/**
 * True when the first coded slice of `annexB` does not start a picture: its
 * first_mb_in_slice, ue(v) right after the NAL header, is not 0 (ue 0 is the single bit 1).
 */
export function continuesPicture(annexB: Uint8Array): boolean {
  // Only the bytes up to the first slice header are read (the slice itself is the bulk).
  const n = annexB.byteLength;
  for (let i = 0; i + 4 < n; i++) {
    if (annexB[i + 2]! > 1) {
      i += 2;
      continue;
    }
    if (annexB[i] !== 0 || annexB[i + 1] !== 0 || annexB[i + 2] !== 1) continue;
    if (isVcl(annexB[i + 3]! & 0x1f)) return (annexB[i + 4]! & 0x80) === 0;
    i += 2;
  }
  return false;
}

/** NAL units of an Annex-B buffer (views, without start codes or trailing zero bytes). */
export function* nalUnits(data: Uint8Array): Generator<Uint8Array> {
  let start = -1;
  let i = 0;
  const n = data.byteLength;
  while (i + 2 < n) {
    if (data[i + 2]! > 1) {
      i += 3;
    } else if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) yield trimZeros(data, start, i);
      start = i + 3;
      i += 3;
    } else {
      i++;
    }
  }
  if (start >= 0 && start < n) yield trimZeros(data, start, n);
}

function trimZeros(data: Uint8Array, start: number, end: number): Uint8Array {
  while (end > start && data[end - 1] === 0) end--;
  return data.subarray(start, end);
}
