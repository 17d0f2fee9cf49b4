import { HevcAccessUnitAssembler, type HevcAccessUnit } from '../../../media/h265/access-unit-assembler.ts';
import { hevcCodecString } from '../../../media/h265/codecs-string.ts';
import { hevcNalType, isRasl } from '../../../media/h265/nal-unit-type.ts';
import { HevcParameterSets } from '../../../media/h265/parameter-sets.ts';
import { PicOrderCounter } from '../../../media/h265/picture-order-count.ts';
import { parseHevcSliceHeaderStart } from '../../../media/h265/slice-header.ts';
import type { HevcSpsInfo } from '../../../media/h265/sps-parser.ts';
import { BaseVideoParser } from './base-video-parser.ts';
import type { AssembledUnitSink, PictureOrderInfo, VideoConfig, VideoUnitSink } from './video-unit.ts';

/**
 * H.265 Annex B -> access units (`media/h265`'s assembler), the parameter sets in force
 * (`HevcParameterSets`: VPS/SPS/PPS by id, copies) and each picture's place in output
 * order (slice header -> `PicOrderCounter`), for streams that carry no timestamps.
 *
 * Cut points are IRAP pictures (IDR, CRA, BLA). A CRA that starts decoding (the first
 * picture, after an end of sequence, or after `restart()`, i.e. the first key frame after
 * a discontinuity) has RASL pictures that refer to pictures before it, which the
 * recording does not hold: they are marked `undecodable` (decoders drop them too, 8.1.3).
 * A parameter set that does not parse marks its access unit corrupt.
 */
export class H265VideoParser extends BaseVideoParser {
  readonly codec = 'h265' as const;
  protected readonly assembler: HevcAccessUnitAssembler;
  private readonly sets = new HevcParameterSets();
  private readonly poc = new PicOrderCounter();
  /** restart() was called: the next IRAP starts decoding (HandleCraAsBlaFlag). */
  private restartPending = false;
  /** RASL pictures of the current IRAP are undecodable (it started decoding). */
  private raslUndecodable = false;
  private cached: VideoConfig | undefined;

  constructor(
    private readonly onUnit: VideoUnitSink,
    maxFrameBytes: number,
    onAssembled?: AssembledUnitSink,
  ) {
    super();
    this.assembler = new HevcAccessUnitAssembler(onAssembled ? (au) => onAssembled({ codec: 'h265', au }) : (au) => this.onAccessUnit(au), maxFrameBytes);
  }

  /** An access unit the same rule split elsewhere (`AssembledUnit`): read as if this parser's assembler had emitted it. */
  assembled(au: HevcAccessUnit): void {
    this.onAccessUnit(au);
  }

  restart(): void {
    this.restartPending = true;
  }

  config(): VideoConfig | undefined {
    const sps = this.sets.activeSps();
    if (!sps) return undefined;
    if (this.cached?.generation === this.sets.generation) return this.cached;
    const arrays = this.sets.arrays();
    this.cached = {
      codec: 'h265',
      codecString: hevcCodecString(sps.profileTierLevel),
      width: sps.width,
      height: sps.height,
      ...(sps.fps ? { fps: sps.fps } : {}),
      vps: arrays.vps,
      sps: arrays.sps,
      pps: arrays.pps,
      maxReorder: sps.maxNumReorderPics,
      generation: this.sets.generation,
    };
    return this.cached;
  }

  private onAccessUnit(au: HevcAccessUnit): void {
    const before = this.config();
    const beforeSps: HevcSpsInfo | undefined = this.sets.activeSps();
    let corrupt = au.corrupt;
    if (!corrupt && (au.vps.length || au.sps.length || au.pps.length)) {
      const problem = this.sets.update(au);
      if (problem) corrupt = `access unit at byte ${au.offset}: ${problem}`;
    }
    const after = this.config();
    const encoderChanged = beforeSps !== undefined && this.sets.activeSps() !== beforeSps;
    const setsChanged = before !== undefined && after !== undefined && after.generation !== before.generation;
    let order: PictureOrderInfo | undefined;
    let missingParameterSets = false;
    if (au.hasVcl && !corrupt) {
      const r = this.pictureOrder(au);
      if (typeof r === 'string') {
        if (after) corrupt = r;
        else missingParameterSets = true;
      } else {
        order = r;
      }
    }
    if (au.endOfSequence) this.poc.endOfSequence();
    this.onUnit({
      nals: au.nals,
      nalBytes: au.nalBytes,
      hasVcl: au.hasVcl,
      isKey: au.isIrap,
      hasAud: au.hasAud,
      sent: { vps: au.vps.length > 0, sps: au.sps.length > 0, pps: au.pps.length > 0 },
      offset: au.offset,
      arrivalMs: au.arrivalMs,
      ...(corrupt ? { corrupt } : {}),
      encoderChanged,
      setsChanged,
      missingParameterSets,
      ...(order ? { order } : {}),
    });
  }

  /** POC of a picture from its first slice segment header, or why it cannot be read. */
  private pictureOrder(au: HevcAccessUnit): PictureOrderInfo | string {
    const slice = au.nals.find((n) => hevcNalType(n) === au.vclType);
    if (!slice) return `picture at byte ${au.offset} has no slice of its own type`;
    let lsb: number;
    let log2: number;
    try {
      const h = parseHevcSliceHeaderStart(slice, this.sets);
      lsb = h.picOrderCntLsb;
      log2 = this.sets.sps(this.sets.pps(h.ppsId)!.spsId)!.log2MaxPicOrderCntLsb;
    } catch (err) {
      return `slice at byte ${au.offset} cannot be read (${(err as Error).message})`;
    }
    if (au.isIrap && this.restartPending) this.poc.endOfSequence();
    const o = this.poc.next(au.vclType, au.temporalId, lsb, log2);
    if (au.isIrap) {
      this.raslUndecodable = o.startsSequence;
      this.restartPending = false;
    }
    return { poc: o.poc, startsSequence: o.startsSequence, undecodable: o.undecodable || (isRasl(au.vclType) && this.raslUndecodable) };
  }
}
