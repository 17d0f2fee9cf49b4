import type { NalUnitEvent } from '../bitstream/annexb-splitter.ts';
import { NAL_OVERHEAD_BYTES } from '../h264/access-unit-assembler.ts';
import {
  firstSliceSegmentInPic,
  HEVC_NAL_HEADER_BYTES,
  HevcNalType,
  isHevcVcl,
  isIrap,
  isReservedVcl,
  parseHevcNalHeader,
  startsHevcAccessUnit,
} from './nal-unit-type.ts';

/** One coded picture (H.265 access unit, single layer) with the non-VCL units around it. */
export interface HevcAccessUnit {
  /** NAL units in order, without start codes. */
  nals: Uint8Array[];
  /** Sum of the NAL unit lengths. */
  nalBytes: number;
  /** Has at least one coded slice segment (false: parameter sets / SEI only). */
  hasVcl: boolean;
  /** nal_unit_type of its slice segments (one type per picture, 7.4.2.2); -1 without any. */
  vclType: number;
  /** TemporalId of its slice segments. */
  temporalId: number;
  /** An IRAP picture (BLA, IDR or CRA): a random-access point and a place to cut. */
  isIrap: boolean;
  hasAud: boolean;
  /** Parameter sets sent in this access unit, in order (views of its NAL units). */
  vps: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
  /** Carries an end-of-sequence (or end-of-bitstream) NAL unit: the next picture restarts POC. */
  endOfSequence: boolean;
  /** Stream offset of its first NAL unit. */
  offset: number;
  arrivalMs: number;
  /** Why this unit cannot be trusted (corrupt or truncated NAL unit); undefined when fine. */
  corrupt?: string;
}

/**
 * Groups H.265 NAL units into access units (H.265 7.4.2.4.4): a new one starts at a
 * slice segment with first_slice_segment_in_pic_flag 1, or at an AUD, VPS, SPS, PPS,
 * prefix SEI, RSV_NVCL41..44 or UNSPEC48..55 unit, when the access unit being collected
 * already has a slice. An access unit is emitted when the next one begins (or on flush).
 * Units of other layers (nuh_layer_id > 0) stay in the access unit they arrive in and
 * never start one (a base-layer decoder ignores them).
 *
 * Corrupt units (forbidden_zero_bit, TemporalId -1, a reserved VCL type, a header cut
 * short, a picture whose first slice segment is missing, mixed IRAP and non-IRAP slices)
 * mark the access unit `corrupt`; nothing is thrown.
 *
 * Memory: at most `maxFrameBytes` (NAL bytes + 64 per NAL unit) of the access unit being
 * collected; past that it is marked corrupt and its NAL units are let go (still counted in
 * nalBytes) until the next access unit begins.
 */
export class HevcAccessUnitAssembler {
  private cur: HevcAccessUnit | null = null;
  private heldBytes = 0;

  constructor(
    private readonly onAccessUnit: (au: HevcAccessUnit) => void,
    private readonly maxFrameBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /** The access unit being collected lost bytes upstream (e.g. an oversize NAL unit dropped): it cannot be trusted. */
  markCorrupt(offset: number, arrivalMs: number, why: string): void {
    this.open(offset, arrivalMs).corrupt ??= why;
  }

  push(e: NalUnitEvent): void {
    const nal = e.nal;
    const h = parseHevcNalHeader(nal);
    const problem =
      nal.byteLength < HEVC_NAL_HEADER_BYTES
        ? 'is shorter than its 2-byte header'
        : h.forbiddenZeroBit
          ? 'has forbidden_zero_bit set'
          : h.temporalId < 0
            ? 'has nuh_temporal_id_plus1 0'
            : isReservedVcl(h.type)
              ? `has reserved nal_unit_type ${h.type}`
              : isHevcVcl(h.type) && nal.byteLength <= HEVC_NAL_HEADER_BYTES
                ? 'is a slice segment without a header'
                : undefined;
    if (problem) {
      this.open(e.offset, e.arrivalMs).corrupt ??= `NAL unit at byte ${e.offset} ${problem} (garbage or a damaged stream)`;
      return;
    }
    if (h.type === HevcNalType.FD) return;
    if (h.layerId > 0) {
      this.add(this.open(e.offset, e.arrivalMs), nal);
      return;
    }
    if (isHevcVcl(h.type)) {
      const first = firstSliceSegmentInPic(nal);
      if (first && this.cur?.hasVcl) this.flush();
      const au = this.open(e.offset, e.arrivalMs);
      if (!au.hasVcl) {
        au.hasVcl = true;
        au.vclType = h.type;
        au.temporalId = h.temporalId;
        au.isIrap = isIrap(h.type);
        if (!first) au.corrupt ??= `slice segment at byte ${e.offset} continues a picture whose first slice segment is missing`;
      } else if (isIrap(h.type) !== au.isIrap) {
        au.corrupt ??= `slice segment at byte ${e.offset} (type ${h.type}) mixes IRAP and non-IRAP slices in one picture (type ${au.vclType})`;
      }
      this.add(au, nal);
      return;
    }
    if (startsHevcAccessUnit(h.type) && this.cur?.hasVcl) this.flush();
    const au = this.open(e.offset, e.arrivalMs);
    if (h.type === HevcNalType.AUD) au.hasAud = true;
    else if (h.type === HevcNalType.VPS) au.vps.push(nal);
    else if (h.type === HevcNalType.SPS) au.sps.push(nal);
    else if (h.type === HevcNalType.PPS) au.pps.push(nal);
    else if (h.type === HevcNalType.EOS || h.type === HevcNalType.EOB) au.endOfSequence = true;
    this.add(au, nal);
  }

  /** Stream offset of the first NAL unit of the access unit being collected (views of pushed chunks), or undefined. */
  get heldFrom(): number | undefined {
    return this.cur?.offset;
  }

  /** Emit the access unit being collected (end of stream, or a whole frame was given). */
  flush(): void {
    const au = this.cur;
    this.cur = null;
    this.heldBytes = 0;
    if (au && (au.nals.length > 0 || au.corrupt)) this.onAccessUnit(au);
  }

  private open(offset: number, arrivalMs: number): HevcAccessUnit {
    this.cur ??= {
      nals: [],
      nalBytes: 0,
      hasVcl: false,
      vclType: -1,
      temporalId: 0,
      isIrap: false,
      hasAud: false,
      vps: [],
      sps: [],
      pps: [],
      endOfSequence: false,
      offset,
      arrivalMs,
    };
    return this.cur;
  }

  private add(au: HevcAccessUnit, nal: Uint8Array): void {
    au.nalBytes += nal.byteLength;
    this.heldBytes += nal.byteLength + NAL_OVERHEAD_BYTES;
    if (this.heldBytes > this.maxFrameBytes) {
      au.corrupt ??= `access unit at byte ${au.offset} is over ${this.maxFrameBytes} bytes (a damaged stream, or raise maxFrameBytes)`;
      au.nals.length = 0;
      au.vps.length = 0;
      au.sps.length = 0;
      au.pps.length = 0;
      return;
    }
    au.nals.push(nal);
  }
}
