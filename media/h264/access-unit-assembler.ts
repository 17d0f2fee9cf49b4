import { BitReaderOverrun } from '../bitstream/bit-reader.ts';
import type { NalUnitEvent } from '../bitstream/annexb-splitter.ts';
import { forbiddenBit, isUnexpected, isVcl, NalType, nalType, SliceType, startsAccessUnit } from './nal-unit-type.ts';
import { parseSliceHeaderStart } from './slice-header.ts';
import { parseSps, type SpsInfo } from './sps-parser.ts';

/** One coded picture with the non-VCL units in front of it. */
export interface AccessUnit {
  /** NAL units in order, without start codes. */
  nals: Uint8Array[];
  /** Sum of the NAL unit lengths. */
  nalBytes: number;
  /** Has at least one coded slice (false: parameter sets / SEI only). */
  hasVcl: boolean;
  isIdr: boolean;
  hasAud: boolean;
  hasBSlice: boolean;
  /** pic_parameter_set_id of its first B slice (when hasBSlice). */
  bSlicePpsId?: number;
  sps?: { nal: Uint8Array; info: SpsInfo };
  pps: Uint8Array[];
  /** Stream offset of its first NAL unit. */
  offset: number;
  arrivalMs: number;
  /** Why this unit cannot be trusted (corrupt or truncated NAL unit); undefined when fine. */
  corrupt?: string;
}

/** Bookkeeping bytes counted per NAL unit against the frame cap (array slot + view object). */
export const NAL_OVERHEAD_BYTES = 64;

/**
 * Groups NAL units into access units (H.264 7.4.1.2.3): a new one starts at an AUD, SPS,
 * PPS, SEI or types 14-18 after a coded slice, or at a slice with first_mb_in_slice 0
 * after a coded slice. An access unit is emitted when the next one begins (or on flush).
 *
 * Memory: at most `maxFrameBytes` (NAL bytes + 64 per NAL unit) of the access unit being
 * collected; past that it is marked corrupt and its NAL units are let go (still counted in
 * nalBytes) until the next access unit begins.
 */
export class AccessUnitAssembler {
  private cur: AccessUnit | null = null;
  private heldBytes = 0;

  constructor(
    private readonly onAccessUnit: (au: AccessUnit) => void,
    private readonly maxFrameBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /** The access unit being collected lost bytes upstream (e.g. an oversize NAL unit dropped): it cannot be trusted. */
  markCorrupt(offset: number, arrivalMs: number, why: string): void {
    const au = this.open({ nal: new Uint8Array(0), offset, arrivalMs });
    au.corrupt ??= why;
  }

  push(e: NalUnitEvent): void {
    const nal = e.nal;
    const type = nalType(nal);
    if (type === NalType.FILLER) return;
    if (forbiddenBit(nal) || isUnexpected(type)) {
      this.open(e).corrupt ??=
        `NAL unit at byte ${e.offset} has ${forbiddenBit(nal) ? 'forbidden_zero_bit set' : `unexpected nal_unit_type ${type}`} (garbage or a damaged stream)`;
      return;
    }
    if (startsAccessUnit(type) && this.cur?.hasVcl) this.flush();
    let au: AccessUnit;
    if (isVcl(type)) {
      let firstMb = -1;
      let sliceType = -1;
      let ppsId = -1;
      try {
        const h = parseSliceHeaderStart(nal);
        firstMb = h.firstMbInSlice;
        sliceType = h.sliceType;
        ppsId = h.ppsId;
        if (h.ppsId < 0) throw new BitReaderOverrun(`slice_type out of range`);
      } catch (err) {
        au = this.open(e);
        au.corrupt ??= `slice at byte ${e.offset} has a broken header (${(err as Error).message})`;
        this.add(au, nal);
        au.hasVcl = true;
        return;
      }
      if (firstMb === 0 && this.cur?.hasVcl) this.flush();
      au = this.open(e);
      au.hasVcl = true;
      if (type === NalType.IDR) au.isIdr = true;
      if (sliceType === SliceType.B && !au.hasBSlice) {
        au.hasBSlice = true;
        au.bSlicePpsId = ppsId;
      }
    } else {
      au = this.open(e);
      if (type === NalType.AUD) au.hasAud = true;
      else if (type === NalType.SPS) {
        try {
          au.sps = { nal, info: parseSps(nal) };
        } catch (err) {
          au.corrupt ??= `SPS at byte ${e.offset} is broken (${(err as Error).message})`;
        }
      } else if (type === NalType.PPS) au.pps.push(nal);
    }
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

  private open(e: NalUnitEvent): AccessUnit {
    this.cur ??= {
      nals: [],
      nalBytes: 0,
      hasVcl: false,
      isIdr: false,
      hasAud: false,
      hasBSlice: false,
      pps: [],
      offset: e.offset,
      arrivalMs: e.arrivalMs,
    };
    return this.cur;
  }

  private add(au: AccessUnit, nal: Uint8Array): void {
    au.nalBytes += nal.byteLength;
    this.heldBytes += nal.byteLength + NAL_OVERHEAD_BYTES;
    if (this.heldBytes > this.maxFrameBytes) {
      au.corrupt ??= `access unit at byte ${au.offset} is over ${this.maxFrameBytes} bytes (a damaged stream, or raise maxFrameBytes)`;
      au.nals.length = 0;
      au.pps.length = 0;
      au.sps = undefined;
      return;
    }
    au.nals.push(nal);
  }
}
