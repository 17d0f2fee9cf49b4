import type { AdtsHeader } from '../../../media/aac/adts-header.ts';
import { AUD_WITH_START_CODE, START_CODE_4 } from '../../../media/h264/nal-unit-type.ts';
import { TS_PACKET_BYTES, TS_PAYLOAD_BYTES } from '../../../media/ts/ts-constants.ts';
import { TsMuxer } from '../../../media/ts/ts-muxer.ts';
import type { SegmentStream } from '../../../media/ts/segment-stream.ts';
import type { QueuedAudio } from '../audio/audio-queue.ts';
import type { VideoConfig, VideoUnit } from '../video/video-unit.ts';
import type { ContainerSegment, SegmentContainer } from './segment-container.ts';

/** PES header and parameter sets in front of a picture, at most. */
const PES_AND_PARAMETER_SETS_BYTES = 1024;
/** PCR-only packets a picture may bring. */
const PCR_PACKETS = 2;

/**
 * MPEG-TS segments (`media/ts`'s muxer): H.264 + AAC ADTS, PAT/PMT first. Each picture
 * gets an access unit delimiter (unless it has one), and a segment's first picture the
 * SPS and PPS in force when it does not carry them itself, so every segment decodes on
 * its own. H.265 is not carried in MPEG-TS here (the segmenter refuses it: fMP4).
 */
export class TsContainer implements SegmentContainer {
  readonly kind = 'ts' as const;
  readonly heldFrom = Number.POSITIVE_INFINITY;
  private readonly muxer: TsMuxer;
  private config: VideoConfig | undefined;
  private readonly streaming: boolean;

  /**
   * `segmentTicks`: the segments' expected duration (90 kHz), to size a growing segment's
   * buffer once; `stream`: segments go out in parts as they are muxed (see TsMuxerOptions).
   */
  constructor(segmentTicks?: number, stream?: SegmentStream) {
    this.muxer = new TsMuxer({ ...(segmentTicks === undefined ? {} : { segmentTicks }), ...(stream ? { stream } : {}) });
    this.streaming = stream !== undefined;
  }

  get bytes(): number {
    return this.muxer.bytes;
  }

  /** Its NAL units with 4-byte start codes, an AUD and parameter sets, a PES header, 184 payload bytes per packet, PCR packets. */
  bytesFor(u: VideoUnit): number {
    return (Math.ceil((u.nalBytes + 4 * u.nals.length + PES_AND_PARAMETER_SETS_BYTES) / TS_PAYLOAD_BYTES) + PCR_PACKETS) * TS_PACKET_BYTES;
  }

  begin(video: VideoConfig, audio: AdtsHeader | undefined, audioMayJoin = false): void {
    this.config = video;
    this.muxer.beginSegment(audio !== undefined, audioMayJoin);
  }

  addAudio(): void {
    this.muxer.addAudioToPmt();
  }

  writeVideo(u: VideoUnit, pts: number, dts: number, first: boolean): void {
    const parts: Uint8Array[] = [];
    let i = 0;
    if (u.hasAud) {
      parts.push(START_CODE_4, u.nals[0]!);
      i = 1;
    } else {
      parts.push(AUD_WITH_START_CODE);
    }
    if (first) {
      // The segment must decode on its own: SPS and PPS in front of its first IDR.
      if (!u.sent.sps) for (const sps of this.config!.sps) parts.push(START_CODE_4, sps);
      if (!u.sent.pps) for (const pps of this.config!.pps) parts.push(START_CODE_4, pps);
    }
    for (; i < u.nals.length; i++) parts.push(START_CODE_4, u.nals[i]!);
    this.muxer.writeVideo(parts, pts, dts, u.isKey);
  }

  writeAudio(frames: readonly QueuedAudio[]): void {
    this.muxer.writeAudio(
      frames.map((f) => f.frame),
      frames[0]!.ticks,
    );
  }

  finish(): ContainerSegment {
    const size = this.muxer.bytes;
    const bytes = this.muxer.finishSegment();
    return this.streaming ? { bytes, streamedBytes: size } : { bytes };
  }

  discard(): void {
    this.muxer.discardSegment();
  }

  recycle(bytes: Uint8Array): void {
    this.muxer.recycle(bytes);
  }
}
