/**
 * What the per-codec video parsing stage hands the segmenter: codec-neutral access units
 * and the parameter sets in force. H.264 (`h264-video-parser.ts`) and H.265
 * (`h265-video-parser.ts`) are two implementations of one interface (`VideoParser`); a
 * new codec is a new file beside them.
 */
import type { NalUnitEvent } from '../../../media/bitstream/annexb-splitter.ts';
import type { AccessUnit } from '../../../media/h264/access-unit-assembler.ts';
import type { HevcAccessUnit } from '../../../media/h265/access-unit-assembler.ts';

export type VideoCodec = 'h264' | 'h265';
export const VideoCodec = { H264: 'h264', H265: 'h265' } as const satisfies Record<string, VideoCodec>;

/** Human names for messages. */
export const VIDEO_CODEC_NAME: Readonly<Record<VideoCodec, string>> = { h264: 'H.264', h265: 'H.265' };

/** The parameter sets in force: what a container needs to describe the stream. */
export interface VideoConfig {
  readonly codec: VideoCodec;
  /** RFC 6381 codecs parameter, e.g. `avc1.64001f` or `hvc1.1.6.L93.B0`. */
  readonly codecString: string;
  /** Displayed size (after cropping / the conformance window). */
  readonly width: number;
  readonly height: number;
  /** Frame rate from the SPS (VUI timing), when sent. */
  readonly fps?: number;
  /**
   * Copies of the parameter sets (NAL units without start codes): H.265 VPS, SPS, PPS;
   * H.264 SPS and PPS (`vps` empty). MPEG-TS puts them in front of a segment's first
   * picture; fMP4 writes them into the init segment (avcC / hvcC).
   */
  readonly vps: readonly Uint8Array[];
  readonly sps: readonly Uint8Array[];
  readonly pps: readonly Uint8Array[];
  /** Pictures that may wait for output in the decoder (H.265 sps_max_num_reorder_pics; 0 for H.264, whose B-frames need timestamps). */
  readonly maxReorder: number;
  /** +1 whenever a parameter set is added or changes its bytes. */
  readonly generation: number;
}

/** One access unit: a coded picture with the non-VCL units in front of it, or parameter sets alone. */
export interface VideoUnit {
  /** NAL units in order, without start codes (views of the pushed bytes). */
  readonly nals: readonly Uint8Array[];
  /** Sum of the NAL unit lengths. */
  readonly nalBytes: number;
  /** Has a coded slice (false: parameter sets / SEI only). */
  readonly hasVcl: boolean;
  /** A random-access point where a segment may start: H.264 IDR, H.265 IRAP (IDR, CRA, BLA). */
  readonly isKey: boolean;
  /** Starts with an access unit delimiter. */
  readonly hasAud: boolean;
  /** Parameter sets of each kind this unit carries itself. */
  readonly sent: { readonly vps: boolean; readonly sps: boolean; readonly pps: boolean };
  /** Stream offset of its first NAL unit. */
  readonly offset: number;
  readonly arrivalMs: number;
  /** Why this unit cannot be trusted (corrupt or truncated); undefined when fine. */
  readonly corrupt?: string;
  /** The sequence parameter set changed here: a new encoder configuration (cut, discontinuity). */
  readonly encoderChanged: boolean;
  /** A parameter set was added or changed here (after the first complete set): out-of-band containers (fMP4) need a new init. */
  readonly setsChanged: boolean;
  /** Its slices name parameter sets the stream has not sent (yet): nothing can decode it. */
  readonly missingParameterSets: boolean;
  /** H.264: it has a B slice; 'malformed' when its SPS/PPS make that impossible (corrupt bytes reading as B). */
  readonly bSlice?: 'well-formed' | 'malformed';
  /** H.265: its place in output order, for streams without timestamps. */
  readonly order?: PictureOrderInfo;
}

export interface PictureOrderInfo {
  /** PicOrderCntVal: output order within a coded video sequence. */
  readonly poc: number;
  /** Starts a coded video sequence (IDR, BLA, a CRA that starts decoding): POCs restart. */
  readonly startsSequence: boolean;
  /** A RASL picture of a CRA that started decoding (its references were never seen): drop it. */
  readonly undecodable: boolean;
}

/**
 * The per-codec parsing stage: NAL units (from the Annex-B splitter) in, access units
 * out through the callback given at construction. Never throws on input: corrupt units
 * are marked.
 */
export interface VideoParser {
  readonly codec: VideoCodec;
  push(e: NalUnitEvent): void;
  /** Emit the access unit being collected (end of a frame or of the stream). */
  flush(): void;
  /** The unit being collected lost bytes upstream (an oversize NAL unit): it cannot be trusted. */
  markCorrupt(offset: number, arrivalMs: number, why: string): void;
  /** Stream offset of the oldest NAL unit still referenced, or undefined. */
  readonly heldFrom: number | undefined;
  /** The parameter sets in force, once a complete set came. */
  config(): VideoConfig | undefined;
  /**
   * Decoding starts anew at the next key frame (the segmenter cut: a discontinuity
   * follows). H.265: RASL pictures of that frame, if it is a CRA, are undecodable.
   */
  restart(): void;
}

export type VideoUnitSink = (u: VideoUnit) => void;

/**
 * An access unit as its codec's assembler (`media/h264`, `media/h265`) split it, before a
 * parser read it: what a raw-file source (which must find frame boundaries to pace them)
 * hands the segmenter, whose parser then reads it without assembling it again.
 */
export type AssembledUnit = { readonly codec: 'h264'; readonly au: AccessUnit } | { readonly codec: 'h265'; readonly au: HevcAccessUnit };

/** Where a stage in assemble-only mode sends each access unit (its parser reads none). */
export type AssembledUnitSink = (a: AssembledUnit) => void;
