import { HevcParameterSets } from '../../media/h265/parameter-sets.ts';
import { copyBytes, sameBytes } from '../media/bytes.ts';
import type { AssembledUnit, VideoCodec } from '../media/video/video-unit.ts';

/**
 * The parameter sets a raw file sent so far, read only as far as its source needs them: the
 * SPS frame rate (to pace frames) and the sets a keyframe decodes with alone (pictures).
 * Only access units that carry sets are read (one a GOP); the segmenter's parser reads the
 * stream itself. H.264: the latest SPS and the PPS units sent with it; H.265: every set by id.
 */
export class RawParameterSets {
  private h264?: { sps: Uint8Array; fps?: number; pps: readonly Uint8Array[] };
  private h265?: HevcParameterSets;

  /** Reads the sets `a` carries; returns the frame rate and, for a keyframe, its codec and the sets in force (undefined until the stream sent them). */
  read(a: AssembledUnit): { spsFps?: number; key?: { codec: VideoCodec; sets: readonly Uint8Array[] } } {
    if (a.codec === 'h264') {
      const au = a.au;
      // Copies (when the bytes changed): a view would keep the whole 512 KiB read it lies in alive.
      if (au.sps && !(this.h264 && sameBytes(this.h264.sps, au.sps.nal))) this.h264 = { sps: copyBytes(au.sps.nal), fps: au.sps.info.fps, pps: [] };
      if (au.pps.length && this.h264 && !samePps(this.h264.pps, au.pps)) this.h264.pps = au.pps.map(copyBytes);
      const c = this.h264;
      if (!c || c.pps.length === 0) return {};
      return { spsFps: c.fps, key: au.isIdr ? { codec: 'h264', sets: [c.sps, ...c.pps] } : undefined };
    }
    const au = a.au;
    const sets = (this.h265 ??= new HevcParameterSets());
    if (au.vps.length || au.sps.length || au.pps.length) sets.update(au);
    const sps = sets.activeSps();
    if (!sps) return {};
    if (!au.isIrap) return { spsFps: sps.fps };
    const arrays = sets.arrays();
    return { spsFps: sps.fps, key: { codec: 'h265', sets: [...arrays.vps, ...arrays.sps, ...arrays.pps] } };
  }
}

function samePps(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((x, i) => sameBytes(x, b[i]!));
}
