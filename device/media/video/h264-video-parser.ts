import { BitReader } from '../../../media/bitstream/bit-reader.ts';
import { unescapeRbsp } from '../../../media/bitstream/rbsp.ts';
import { AccessUnitAssembler, type AccessUnit } from '../../../media/h264/access-unit-assembler.ts';
import { avcCodecString } from '../../../media/h264/codecs-string.ts';
import type { SpsInfo } from '../../../media/h264/sps-parser.ts';
import { BaseVideoParser } from './base-video-parser.ts';
import { copyBytes, sameBytes } from '../bytes.ts';
import type { AssembledUnitSink, VideoConfig, VideoUnit, VideoUnitSink } from './video-unit.ts';

/** profile_idc of Baseline (H.264 A.2.1): it has no B slices, so one there is corrupt. */
const PROFILE_BASELINE = 66;

/**
 * H.264 Annex B -> access units (`media/h264`'s assembler) + the parameter-set cache:
 * the latest SPS and each PPS by id, kept as copies (callers may reuse their chunks once
 * the segmenter let go of them). A new SPS (other bytes) is a new encoder configuration
 * and empties the PPS cache; a PPS id sent again with other bytes changes the sets too.
 * A B slice is believed ("well-formed") only under an SPS of a profile with B slices and
 * when it names a PPS the stream sent.
 */
export class H264VideoParser extends BaseVideoParser {
  readonly codec = 'h264' as const;
  protected readonly assembler: AccessUnitAssembler;
  private sps?: { nal: Uint8Array; info: SpsInfo };
  private readonly ppsById = new Map<number, Uint8Array>();
  private generation = 0;
  private cached: VideoConfig | undefined;

  constructor(
    private readonly onUnit: VideoUnitSink,
    maxFrameBytes: number,
    onAssembled?: AssembledUnitSink,
  ) {
    super();
    this.assembler = new AccessUnitAssembler(onAssembled ? (au) => onAssembled({ codec: 'h264', au }) : (au) => this.onAccessUnit(au), maxFrameBytes);
  }

  /** An access unit the same rule split elsewhere (`AssembledUnit`): read as if this parser's assembler had emitted it. */
  assembled(au: AccessUnit): void {
    this.onAccessUnit(au);
  }

  restart(): void {
    // H.264 IDRs always start decoding afresh: nothing to forget.
  }

  config(): VideoConfig | undefined {
    if (!this.sps || this.ppsById.size === 0) return undefined;
    if (this.cached?.generation === this.generation) return this.cached;
    const info = this.sps.info;
    this.cached = {
      codec: 'h264',
      codecString: avcCodecString(info),
      width: info.width,
      height: info.height,
      ...(info.fps ? { fps: info.fps } : {}),
      vps: [],
      sps: [this.sps.nal],
      pps: [...this.ppsById.values()],
      maxReorder: 0,
      generation: this.generation,
    };
    return this.cached;
  }

  private onAccessUnit(au: AccessUnit): void {
    const hadConfig = this.config() !== undefined;
    const { encoderChanged, setsChanged } = au.corrupt ? { encoderChanged: false, setsChanged: false } : this.cacheParameterSets(au);
    let bSlice: VideoUnit['bSlice'];
    if (au.hasBSlice) {
      const profile = this.sps?.info.profileIdc;
      const wellFormed = profile !== undefined && profile !== PROFILE_BASELINE && au.bSlicePpsId !== undefined && this.ppsById.has(au.bSlicePpsId);
      bSlice = wellFormed ? 'well-formed' : 'malformed';
    }
    this.onUnit({
      nals: au.nals,
      nalBytes: au.nalBytes,
      hasVcl: au.hasVcl,
      isKey: au.isIdr,
      hasAud: au.hasAud,
      sent: { vps: false, sps: au.sps !== undefined, pps: au.pps.length > 0 },
      offset: au.offset,
      arrivalMs: au.arrivalMs,
      // Fields present as undefined rather than spread in: no throw-away objects per frame.
      corrupt: au.corrupt || undefined,
      encoderChanged,
      setsChanged: setsChanged && hadConfig,
      missingParameterSets: au.hasVcl && this.config() === undefined,
      bSlice,
    });
  }

  /** Caches SPS/PPS (copies); says whether the SPS changed (an encoder change) and whether any set did. */
  private cacheParameterSets(au: AccessUnit): { encoderChanged: boolean; setsChanged: boolean } {
    let encoderChanged = false;
    let setsChanged = false;
    if (au.sps && !(this.sps && sameBytes(this.sps.nal, au.sps.nal))) {
      encoderChanged = this.sps !== undefined;
      setsChanged = true;
      this.sps = { nal: copyBytes(au.sps.nal), info: au.sps.info };
      if (encoderChanged) this.ppsById.clear();
    }
    for (const pps of au.pps) {
      let id: number;
      try {
        // pic_parameter_set_id ue(v), the first field after the NAL header (7.3.2.2).
        id = new BitReader(unescapeRbsp(pps, 1, 8)).ue();
      } catch {
        continue; // An unreadable PPS id: the slices that use it will fail to decode; keep the stream going.
      }
      const old = this.ppsById.get(id);
      if (old && sameBytes(old, pps)) continue;
      this.ppsById.set(id, copyBytes(pps));
      setsChanged = true;
    }
    if (setsChanged) this.generation++;
    return { encoderChanged, setsChanged };
  }
}
