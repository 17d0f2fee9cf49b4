import type { AdtsHeader } from '../../../media/aac/adts-header.ts';
import { aacCodecString } from '../../../media/h264/codecs-string.ts';
import { PTS_HZ } from '../../../media/ts/ts-constants.ts';
import type { AudioQueue } from '../audio/audio-queue.ts';
import { createContainer } from '../container/create-container.ts';
import type { ContainerKind, SegmentContainer } from '../container/segment-container.ts';
import type { SegmentStream } from '../../../media/ts/segment-stream.ts';
import type { MediaSegment, SegmenterStats } from '../media-segment.ts';
import type { VideoConfig, VideoUnit } from '../video/video-unit.ts';

const TICKS_PER_MS = PTS_HZ / 1000;

/** A picture with its times (90 kHz, unwrapped). */
export interface TimedPicture {
  readonly u: VideoUnit;
  readonly pts: number;
  readonly dts: number;
}

/** The segment being written. */
export interface OpenSegmentState {
  /** Presentation time of its key frame: where the segment starts. */
  readonly startPts: number;
  /** Decode time of its key frame: audio from here on belongs to this segment. */
  readonly startDts: number;
  lastDts: number;
  /** Latest presentation time written (B-frames: not the last frame's). */
  maxPts: number;
  frames: number;
  readonly discontinuity: boolean;
  hasAudio: boolean;
  /** Audio was on at open but no audio frame had arrived yet: the first one adds it. */
  awaitingAudio: boolean;
  codecs: string;
  readonly config: VideoConfig;
}

/**
 * Segment assembly: one open segment at a time, written through a container (TS or
 * fMP4), with the queued audio that belongs to it (AAC frames from the segment's key
 * frame decode time up to each picture's decode time, then up to the next segment's).
 * `finish` hands the receiver a `MediaSegment`; the writer forgets it.
 */
export class SegmentWriter {
  seg: OpenSegmentState | undefined;
  container: SegmentContainer;

  constructor(
    kind: ContainerKind,
    private readonly audio: AudioQueue,
    private readonly stats: SegmenterStats,
    private readonly toMs: (ticks: number) => number,
    private readonly onSegment: (s: MediaSegment) => void,
    /** The segments' expected duration (90 kHz ticks): the container sizes its buffers by it. */
    private readonly segmentTicks?: number,
    /** MPEG-TS segments go out in parts as they are muxed (SegmenterOptions.streamSegments). */
    private readonly stream?: SegmentStream,
  ) {
    this.container = createContainer(kind, segmentTicks, stream);
  }

  /** Writes later segments in this container (between segments: a codec change). */
  use(kind: ContainerKind): void {
    if (this.container.kind !== kind) this.container = createContainer(kind, this.segmentTicks, this.stream);
  }

  /** Opens a segment at key frame `t`, with audio when `audio` is known (or awaited when `awaitAudio`). */
  open(t: TimedPicture, config: VideoConfig, audio: AdtsHeader | undefined, awaitAudio: boolean, discontinuity: boolean): void {
    this.seg = {
      startPts: t.pts,
      startDts: t.dts,
      lastDts: t.dts,
      maxPts: t.pts,
      frames: 0,
      discontinuity,
      hasAudio: audio !== undefined,
      awaitingAudio: awaitAudio && audio === undefined,
      codecs: config.codecString + (audio ? `,${aacCodecString(audio.audioObjectType)}` : ''),
      config,
    };
    this.container.begin(config, audio, this.seg.awaitingAudio);
  }

  /** Audio's first frame came after the segment opened (a live start): the segment carries audio from here. */
  audioJoined(h: AdtsHeader): void {
    const seg = this.seg;
    if (!seg || seg.hasAudio || !seg.awaitingAudio) return;
    seg.hasAudio = true;
    seg.awaitingAudio = false;
    seg.codecs += `,${aacCodecString(h.audioObjectType)}`;
    this.container.addAudio(h);
  }

  /** One picture (decode order), after the audio that comes before it. */
  write(t: TimedPicture): void {
    const seg = this.seg!;
    this.flushAudio(t.dts);
    this.container.writeVideo(t.u, t.pts, t.dts, seg.frames === 0);
    seg.lastDts = t.dts;
    if (t.pts > seg.maxPts) seg.maxPts = t.pts;
    seg.frames++;
    this.stats.frames++;
  }

  /** Queued audio timed before `beforeTicks` goes into the open segment (if it carries audio). */
  flushAudio(beforeTicks: number): void {
    const seg = this.seg;
    if (!seg || !seg.hasAudio || this.audio.length === 0) return;
    this.stats.audioFrames += this.audio.takeBefore(
      beforeTicks,
      seg.startDts,
      (group) => this.container.writeAudio(group),
      (bytes) => (this.stats.droppedBytes += bytes),
    );
  }

  /** Ends the open segment at presentation time `endPts`; audio before `endDts` (the next segment's audio boundary) goes in. */
  finish(endPts: number, endDts: number): void {
    const seg = this.seg!;
    this.flushAudio(endDts);
    const out = this.container.finish(endDts);
    this.seg = undefined;
    this.stats.segments++;
    this.stats.bytes += out.streamedBytes ?? out.bytes.byteLength;
    this.onSegment({
      bytes: out.bytes,
      ...(out.streamedBytes !== undefined ? { streamedBytes: out.streamedBytes } : {}),
      container: this.container.kind,
      ...(out.init ? { init: out.init } : {}),
      videoCodec: seg.config.codec,
      startMs: this.toMs(seg.startPts),
      durationMs: (endPts - seg.startPts) / TICKS_PER_MS,
      codecs: seg.codecs,
      width: seg.config.width,
      height: seg.config.height,
      discontinuity: seg.discontinuity,
      videoFrames: seg.frames,
      hasAudio: seg.hasAudio,
    });
  }

  /** Throws the open segment away unsent (a refused stream); returns the frames it held. */
  discard(): number {
    const frames = this.seg?.frames ?? 0;
    if (this.seg) this.container.discard();
    this.seg = undefined;
    return frames;
  }
}
