/**
 * Independent H.265 writers for the tests (not the media core's code): NAL headers
 * (7.3.1.2), profile_tier_level (7.3.3), VPS (7.3.2.1), SPS (7.3.2.2 with st_ref_pic_set
 * 7.3.7, scaling_list_data 7.3.4, VUI E.2.1 and HRD E.2.2), PPS (7.3.2.3.1) and the start
 * of a slice segment header (7.3.6.1), over the MSB-first bit writer of h264-builders.
 */
import { BitWriter, escapeRbsp } from './h264-builders.ts';

/** nal_unit_header: forbidden(1)=0 type(6) layer(6) tid_plus1(3). */
export function nalHeader(type: number, temporalId = 0, layerId = 0): [number, number] {
  return [(type << 1) | (layerId >> 5), ((layerId & 0x1f) << 3) | (temporalId + 1)];
}

function finish(type: number, w: BitWriter): Uint8Array {
  return Uint8Array.of(...nalHeader(type), ...escapeRbsp(w.bytesWithTrailingBits()));
}

export interface PtlFields {
  profileSpace: number;
  tierFlag: number;
  profileIdc: number;
  compatibilityFlags: number;
  /** 6 bytes. */
  constraintFlags: number[];
  levelIdc: number;
  /** Per sub-layer below the highest: [profile present, level present]. */
  subLayers: Array<[boolean, boolean]>;
}

export function writePtl(w: BitWriter, p: PtlFields): void {
  w.u(2, p.profileSpace).u(1, p.tierFlag).u(5, p.profileIdc).u(32, p.compatibilityFlags);
  for (const b of p.constraintFlags) w.u(8, b);
  w.u(8, p.levelIdc);
  for (const [prof, lvl] of p.subLayers) w.u(1, prof ? 1 : 0).u(1, lvl ? 1 : 0);
  if (p.subLayers.length > 0) for (let i = p.subLayers.length; i < 8; i++) w.u(2, 0);
  for (const [prof, lvl] of p.subLayers) {
    if (prof) w.u(2, 0).u(1, 0).u(5, p.profileIdc).u(32, p.compatibilityFlags).u(32, 0).u(16, 0);
    if (lvl) w.u(8, p.levelIdc);
  }
}

export const MAIN_PTL: PtlFields = {
  profileSpace: 0,
  tierFlag: 0,
  profileIdc: 1,
  compatibilityFlags: 0x60000000,
  constraintFlags: [0x90, 0, 0, 0, 0, 0],
  levelIdc: 93,
  subLayers: [],
};

export function writeVps(o: { vpsId?: number; ptl?: PtlFields; timing?: { numUnitsInTick: number; timeScale: number } } = {}): Uint8Array {
  const ptl = o.ptl ?? MAIN_PTL;
  const w = new BitWriter()
    .u(4, o.vpsId ?? 0)
    .u(1, 1)
    .u(1, 1)
    .u(6, 0)
    .u(3, ptl.subLayers.length)
    .u(1, 1)
    .u(16, 0xffff);
  writePtl(w, ptl);
  w.u(1, 1);
  for (let i = 0; i <= ptl.subLayers.length; i++) w.ue(4).ue(2).ue(0);
  w.u(6, 0).ue(0);
  if (o.timing) w.u(1, 1).u(32, o.timing.numUnitsInTick).u(32, o.timing.timeScale).u(1, 0).ue(0);
  else w.u(1, 0);
  w.u(1, 0); // vps_extension_flag
  return finish(32, w);
}

export type ShortTermRps = { negative: number; positive: number } | { predictFlags: Array<[used: boolean, useDelta: boolean]> };

export interface HevcSpsFields {
  vpsId: number;
  spsId: number;
  ptl: PtlFields;
  chromaFormatIdc: 0 | 1 | 2 | 3;
  separateColourPlane: boolean;
  /** Minimum coding block 2^log2MinCb; the coded size must be a multiple of it. */
  log2MinCb: 3 | 4;
  log2DiffCtb: number;
  codedWidth: number;
  codedHeight: number;
  window?: { left: number; right: number; top: number; bottom: number };
  bitDepthLuma: number;
  bitDepthChroma: number;
  log2MaxPocLsb: number;
  /** Per sub-layer (all written when orderingInfoPresent, else only the last). */
  ordering: Array<{ maxDecPicBufferingMinus1: number; maxNumReorder: number; maxLatencyPlus1: number }>;
  orderingInfoPresent: boolean;
  scalingList?: 'default' | 'explicit';
  pcm: boolean;
  shortTermRps: ShortTermRps[];
  longTermLsbs?: number[];
  vui?: HevcVuiFields;
}

/** A plain Main 4:2:0 8-bit SPS (320x240, one picture reordered, no RPS sets in the SPS): spread it and set what a test is about. */
export const MAIN_SPS: HevcSpsFields = {
  vpsId: 0,
  spsId: 0,
  ptl: MAIN_PTL,
  chromaFormatIdc: 1,
  separateColourPlane: false,
  log2MinCb: 3,
  log2DiffCtb: 3,
  codedWidth: 320,
  codedHeight: 240,
  bitDepthLuma: 8,
  bitDepthChroma: 8,
  log2MaxPocLsb: 8,
  ordering: [{ maxDecPicBufferingMinus1: 3, maxNumReorder: 1, maxLatencyPlus1: 0 }],
  orderingInfoPresent: true,
  pcm: false,
  shortTermRps: [],
};

export interface HevcVuiFields {
  sar?: { idc: number; width?: number; height?: number };
  colour?: { primaries: number; transfer: number; matrix: number; fullRange: boolean };
  chromaLoc?: boolean;
  fieldSeq?: boolean;
  defaultDisplayWindow?: boolean;
  timing?: {
    numUnitsInTick: number;
    timeScale: number;
    hrd?: { nal: boolean; vcl: boolean; subPic: boolean; cpbCount: number; fixedRate: boolean; lowDelay: boolean };
  };
  restriction?: { minSpatialSegmentationIdc: number };
}

/** seq_parameter_set_rbsp() as 7.3.2.2 writes it; returns the escaped NAL unit (header 42 01). */
export function writeHevcSps(f: HevcSpsFields): Uint8Array {
  const maxSub = f.ptl.subLayers.length;
  const w = new BitWriter().u(4, f.vpsId).u(3, maxSub).u(1, 1);
  writePtl(w, f.ptl);
  w.ue(f.spsId).ue(f.chromaFormatIdc);
  if (f.chromaFormatIdc === 3) w.u(1, f.separateColourPlane ? 1 : 0);
  w.ue(f.codedWidth).ue(f.codedHeight);
  if (f.window) w.u(1, 1).ue(f.window.left).ue(f.window.right).ue(f.window.top).ue(f.window.bottom);
  else w.u(1, 0);
  w.ue(f.bitDepthLuma - 8)
    .ue(f.bitDepthChroma - 8)
    .ue(f.log2MaxPocLsb - 4);
  w.u(1, f.orderingInfoPresent ? 1 : 0);
  const ordering = f.orderingInfoPresent ? f.ordering : f.ordering.slice(-1);
  for (const o of ordering) w.ue(o.maxDecPicBufferingMinus1).ue(o.maxNumReorder).ue(o.maxLatencyPlus1);
  w.ue(f.log2MinCb - 3)
    .ue(f.log2DiffCtb)
    .ue(0)
    .ue(3)
    .ue(1)
    .ue(1);
  if (f.scalingList) {
    w.u(1, 1);
    if (f.scalingList === 'explicit') {
      w.u(1, 1);
      for (let sizeId = 0; sizeId < 4; sizeId++) {
        for (let m = 0; m < 6; m += sizeId === 3 ? 3 : 1) {
          if ((sizeId + m) % 2 === 0) {
            w.u(1, 0).ue(0);
          } else {
            w.u(1, 1);
            if (sizeId > 1) w.se(-3);
            for (let i = 0; i < Math.min(64, 1 << (4 + (sizeId << 1))); i++) w.se(i % 3 === 0 ? 1 : -1);
          }
        }
      }
    } else {
      w.u(1, 0);
    }
  } else {
    w.u(1, 0);
  }
  w.u(1, 0)
    .u(1, 1)
    .u(1, f.pcm ? 1 : 0);
  if (f.pcm) w.u(4, 7).u(4, 7).ue(0).ue(1).u(1, 0);
  w.ue(f.shortTermRps.length);
  const numDelta: number[] = [];
  f.shortTermRps.forEach((rps, idx) => {
    if (idx > 0) w.u(1, 'predictFlags' in rps ? 1 : 0);
    if ('predictFlags' in rps) {
      w.u(1, 1).ue(0); // delta_rps_sign, abs_delta_rps_minus1
      let count = 0;
      for (const [used, useDelta] of rps.predictFlags) {
        w.u(1, used ? 1 : 0);
        if (!used) w.u(1, useDelta ? 1 : 0);
        if (used || useDelta) count++;
      }
      numDelta.push(count);
    } else {
      w.ue(rps.negative).ue(rps.positive);
      for (let i = 0; i < rps.negative + rps.positive; i++) w.ue(i).u(1, 1);
      numDelta.push(rps.negative + rps.positive);
    }
  });
  if (f.longTermLsbs) {
    w.u(1, 1).ue(f.longTermLsbs.length);
    for (const lsb of f.longTermLsbs) w.u(f.log2MaxPocLsb, lsb).u(1, 1);
  } else {
    w.u(1, 0);
  }
  w.u(1, 1).u(1, 1);
  if (f.vui) {
    w.u(1, 1);
    writeVui(w, f.vui, maxSub);
  } else {
    w.u(1, 0);
  }
  w.u(1, 0); // sps_extension_present_flag
  return finish(33, w);
}

/** How many flags the writer expects for an inter-predicted set after `previous` (NumDeltaPocs + 1). */
export function predictedFlagCount(previous: ShortTermRps): number {
  return 'predictFlags' in previous ? previous.predictFlags.filter(([u, d]) => u || d).length + 1 : previous.negative + previous.positive + 1;
}

function writeVui(w: BitWriter, v: HevcVuiFields, maxSub: number): void {
  if (v.sar) {
    w.u(1, 1).u(8, v.sar.idc);
    if (v.sar.idc === 255) w.u(16, v.sar.width ?? 1).u(16, v.sar.height ?? 1);
  } else {
    w.u(1, 0);
  }
  w.u(1, 1).u(1, 0); // overscan present, not appropriate
  if (v.colour)
    w.u(1, 1)
      .u(3, 5)
      .u(1, v.colour.fullRange ? 1 : 0)
      .u(1, 1)
      .u(8, v.colour.primaries)
      .u(8, v.colour.transfer)
      .u(8, v.colour.matrix);
  else w.u(1, 0);
  if (v.chromaLoc) w.u(1, 1).ue(1).ue(2);
  else w.u(1, 0);
  w.u(1, 0)
    .u(1, v.fieldSeq ? 1 : 0)
    .u(1, 0);
  if (v.defaultDisplayWindow) w.u(1, 1).ue(2).ue(4).ue(6).ue(8);
  else w.u(1, 0);
  if (v.timing) {
    w.u(1, 1).u(32, v.timing.numUnitsInTick).u(32, v.timing.timeScale).u(1, 1).ue(0);
    const hrd = v.timing.hrd;
    if (hrd) {
      w.u(1, 1);
      w.u(1, hrd.nal ? 1 : 0).u(1, hrd.vcl ? 1 : 0);
      if (hrd.nal || hrd.vcl) {
        w.u(1, hrd.subPic ? 1 : 0);
        if (hrd.subPic) w.u(8, 23).u(5, 4).u(1, 1).u(5, 7);
        w.u(4, 3).u(4, 5);
        if (hrd.subPic) w.u(4, 2);
        w.u(5, 23).u(5, 15).u(5, 4);
      }
      for (let i = 0; i <= maxSub; i++) {
        w.u(1, hrd.fixedRate ? 1 : 0);
        if (!hrd.fixedRate) w.u(1, 0);
        if (hrd.fixedRate) w.ue(0);
        else w.u(1, hrd.lowDelay ? 1 : 0);
        const cpb = hrd.fixedRate || !hrd.lowDelay ? hrd.cpbCount : 1;
        if (hrd.fixedRate || !hrd.lowDelay) w.ue(hrd.cpbCount - 1);
        for (let k = (hrd.nal ? 1 : 0) + (hrd.vcl ? 1 : 0); k > 0; k--) {
          for (let c = 0; c < cpb; c++) {
            w.ue(1000 + c).ue(2000 + c);
            if (hrd.subPic) w.ue(5).ue(6);
            w.u(1, c % 2);
          }
        }
      }
    } else {
      w.u(1, 0);
    }
  } else {
    w.u(1, 0);
  }
  if (v.restriction) w.u(1, 1).u(1, 0).u(1, 1).u(1, 0).ue(v.restriction.minSpatialSegmentationIdc).ue(2).ue(1).ue(15).ue(15);
  else w.u(1, 0);
}

export interface HevcPpsFields {
  ppsId: number;
  spsId: number;
  dependentSliceSegments: boolean;
  outputFlagPresent: boolean;
  numExtraSliceHeaderBits: number;
  tiles: boolean;
  entropyCodingSync: boolean;
}

export function writeHevcPps(f: HevcPpsFields): Uint8Array {
  const w = new BitWriter()
    .ue(f.ppsId)
    .ue(f.spsId)
    .u(1, f.dependentSliceSegments ? 1 : 0)
    .u(1, f.outputFlagPresent ? 1 : 0)
    .u(3, f.numExtraSliceHeaderBits)
    .u(1, 0)
    .u(1, 1)
    .ue(0)
    .ue(0)
    .se(-4)
    .u(1, 0)
    .u(1, 0)
    .u(1, 1)
    .ue(1)
    .se(-2)
    .se(3)
    .u(1, 0)
    .u(1, 0)
    .u(1, 0)
    .u(1, 0)
    .u(1, f.tiles ? 1 : 0)
    .u(1, f.entropyCodingSync ? 1 : 0);
  if (f.tiles) w.ue(1).ue(1).u(1, 1).u(1, 1);
  w.u(1, 1).u(1, 0).u(1, 0).u(1, 0).ue(0).u(1, 0).u(1, 0); // loop filter across slices, deblocking..., lists_modification, log2_parallel_merge_level, ...
  return finish(34, w);
}

/** A slice segment NAL unit: header fields up to slice_pic_order_cnt_lsb, then filler payload bits. */
export function writeSliceSegment(o: {
  type: number;
  temporalId?: number;
  first: boolean;
  ppsId: number;
  pps: HevcPpsFields;
  sps: Pick<HevcSpsFields, 'log2MaxPocLsb' | 'separateColourPlane'>;
  picSizeInCtbs: number;
  address?: number;
  dependent?: boolean;
  sliceType: number;
  picOutput?: boolean;
  pocLsb: number;
}): Uint8Array {
  const w = new BitWriter().u(1, o.first ? 1 : 0);
  if (o.type >= 16 && o.type <= 23) w.u(1, 0);
  w.ue(o.ppsId);
  if (!o.first) {
    if (o.pps.dependentSliceSegments) w.u(1, o.dependent ? 1 : 0);
    w.u(Math.ceil(Math.log2(o.picSizeInCtbs)), o.address ?? 1);
  }
  if (!o.dependent) {
    w.u(o.pps.numExtraSliceHeaderBits, 0);
    w.ue(o.sliceType);
    if (o.pps.outputFlagPresent) w.u(1, o.picOutput === false ? 0 : 1);
    if (o.sps.separateColourPlane) w.u(2, 0);
    if (o.type !== 19 && o.type !== 20) w.u(o.sps.log2MaxPocLsb, o.pocLsb);
  }
  w.u(16, 0xa5a5);
  return Uint8Array.of(...nalHeader(o.type, o.temporalId ?? 0), ...escapeRbsp(w.bytesWithTrailingBits()));
}
