import { adtsFrameTicks, parseAdtsHeader } from '../../media/aac/adts-header.ts';
import { RunEnd } from '../media/clock/run-end.ts';
import { ConnectionClock, TimestampUnwrapper } from '../media/clock/source-clock.ts';
import { AVC_PICTURE_RULE, SliceJoiner } from '../../media/h264/slice-joiner.ts';
import { HEVC_PICTURE_RULE } from '../../media/h265/picture-pieces.ts';
import type { PmtInfo } from '../../media/ts/psi-reader.ts';
import { AUDIO_STREAM_TYPES, KnownStreamType, PTS_HZ, StreamType, VIDEO_STREAM_TYPES } from '../../media/ts/ts-constants.ts';
import { TsDemuxer, type DemuxedPes } from '../../media/ts/ts-demuxer.ts';
import type { MediaInput } from './media-input.ts';

const TICKS_PER_MS = PTS_HZ / 1000;
/** PES stream_id ranges (ISO 13818-1 table 2-22): audio 0xC0-0xDF; private_stream_1 0xBD carries AC-3, PCM, ... */
const AUDIO_STREAM_IDS = { FIRST: 0xc0, LAST: 0xdf, PRIVATE_1: 0xbd } as const;

/** What the feed learned from a program's PMT. */
export interface ProgramInfo {
  /** stream_type of the video stream, or undefined when there is none. */
  videoStreamType?: number;
  /** stream_type of the first audio stream, or undefined when there is none. */
  audioStreamType?: number;
  /** True when the audio is AAC in ADTS (the only audio the TS muxer writes). */
  audioIsAac: boolean;
}

export interface TsStreamFeedOptions {
  /** Where an earlier connection's times ended (its `endTicks`, 90 kHz wall clock): this one starts there at the earliest. */
  readonly floorTicks?: number;
  readonly onProgram?: (p: ProgramInfo) => void;
  /** Problems worth a log line (each kind once per feed). */
  readonly onProblem?: (message: string) => void;
  readonly calibrationMs?: number;
}

type Unit = { kind: 'video'; data: Uint8Array; pts: number; dts: number } | { kind: 'audio'; data: Uint8Array; pts: number };

export const describeStreamType = (t: number): string => `0x${t.toString(16).padStart(2, '0')} (${KnownStreamType[t] ?? 'unknown'})`;

/**
 * One connection's MPEG-TS (from the ffmpeg child) to timed frames for the agent:
 * demux -> unwrap 33-bit times -> join pictures sent in pieces (SliceJoiner) -> map
 * times to wall clock once (ConnectionClock) ->
 * `putVideoFrame(accessUnit, ptsMs, dtsMs)` and `putAudioFrame(adtsFrame, ptsMs)`.
 * H.264 (stream_type 0x1b) and H.265 (0x24) video and AAC audio are fed (the segmenter tells
 * the codec from the bytes); another video codec is said once, other audio is left to the
 * ffmpeg child (it transcodes it to AAC).
 */
export class TsStreamFeed {
  private readonly demuxer: TsDemuxer;
  private readonly unwrap = new TimestampUnwrapper();
  private readonly clock: ConnectionClock<Unit>;
  private readonly joiner: SliceJoiner<{ pts: number; dts: number; arrivalMs: number }>;
  private videoPid: number | undefined;
  private audioPid: number | undefined;
  private arrivalMs = 0;
  private readonly said = new Set<string>();
  private readonly runEnd = new RunEnd();
  /**
   * Where this connection's times end (90 kHz wall clock), for the next connection's floor:
   * a whole frame after its last video frame and after its last audio frame (`RunEnd`), so
   * every player sees the next connection's times rise. Undefined while nothing was handed on.
   */
  get endTicks(): number | undefined {
    return this.runEnd.ticks;
  }

  /** Video access units handed on. */
  videoUnits = 0;

  constructor(
    private readonly input: Pick<MediaInput, 'putVideoFrame' | 'putAudioFrame'>,
    private readonly o: TsStreamFeedOptions = {},
  ) {
    this.clock = new ConnectionClock<Unit>({ floorTicks: o.floorTicks, calibrationMs: o.calibrationMs });
    this.joiner = new SliceJoiner(({ data, time }) => this.hold({ kind: 'video', data, pts: time.pts, dts: time.dts }, time.dts, time.arrivalMs));
    this.demuxer = new TsDemuxer({
      onProgram: (p) => this.onProgram(p),
      onPes: (p) => this.onPes(p),
      onError: (m) => this.once(`ts:${m.slice(0, 20)}`, `MPEG-TS from ffmpeg: ${m}`),
    });
  }

  /** Bytes of the TS, as they arrive (do not reuse the chunk's memory). */
  push(chunk: Uint8Array, arrivalMs: number): void {
    this.arrivalMs = arrivalMs;
    this.demuxer.push(chunk);
  }

  /** End of the connection: hand on what is still held. */
  end(): void {
    this.demuxer.flush();
    this.joiner.flush();
    for (const u of this.clock.drain()) this.deliver(u);
  }

  private onProgram(p: PmtInfo): void {
    const video = p.streams.find((s) => VIDEO_STREAM_TYPES.has(s.streamType));
    const audio = p.streams.find((s) => AUDIO_STREAM_TYPES.has(s.streamType) || (s.streamType === 0x06 && s !== video));
    const supported = video?.streamType === StreamType.H264 || video?.streamType === StreamType.H265;
    this.videoPid = supported ? video.pid : undefined;
    if (supported) {
      const rule = video.streamType === StreamType.H265 ? HEVC_PICTURE_RULE : AVC_PICTURE_RULE;
      if (rule !== this.joiner.rule) {
        this.joiner.flush();
        this.joiner.rule = rule;
      }
    } else if (video) {
      this.once(
        `video:${video.streamType}`,
        `the camera's video is ${describeStreamType(video.streamType)}: camrec records H.264 and H.265; set the camera's encoder to one of them`,
      );
    }
    this.audioPid = audio?.streamType === StreamType.AAC_ADTS ? audio.pid : undefined;
    this.o.onProgram?.({ videoStreamType: video?.streamType, audioStreamType: audio?.streamType, audioIsAac: audio?.streamType === StreamType.AAC_ADTS });
  }

  private onPes(p: DemuxedPes): void {
    if (p.pts === undefined) return;
    if (p.pid === this.videoPid) {
      const pts = this.unwrap.unwrap(p.pts);
      const dts = p.dts === undefined ? pts : this.unwrap.unwrap(p.dts);
      // Pieces of one picture (slice groups sent apart) are joined before it is timed.
      this.joiner.push(p.data, { pts, dts: Math.min(dts, pts), arrivalMs: this.arrivalMs });
    } else if (
      p.pid === this.audioPid &&
      ((p.streamId >= AUDIO_STREAM_IDS.FIRST && p.streamId <= AUDIO_STREAM_IDS.LAST) || p.streamId === AUDIO_STREAM_IDS.PRIVATE_1)
    ) {
      const pts = this.unwrap.unwrap(p.pts);
      this.hold({ kind: 'audio', data: p.data, pts }, pts, this.arrivalMs);
    }
  }

  private hold(u: Unit, sourceTicks: number, arrivalMs: number): void {
    for (const ready of this.clock.add(u, sourceTicks, arrivalMs)) this.deliver(ready);
  }

  private deliver(u: Unit): void {
    if (u.kind === 'video') {
      const pts = this.clock.toWallTicks(u.pts);
      const dts = this.clock.toWallTicks(u.dts);
      this.runEnd.video(pts, dts);
      this.videoUnits++;
      this.input.putVideoFrame(u.data, pts / TICKS_PER_MS, dts / TICKS_PER_MS);
      return;
    }
    // A PES of ADTS frames: each frame at the PES time plus the samples before it.
    const start = this.clock.toWallTicks(u.pts);
    let o = 0;
    let samplesBefore = 0;
    while (o < u.data.byteLength) {
      const h = parseAdtsHeader(u.data, o);
      if (!h || o + h.frameBytes > u.data.byteLength) {
        this.once('adts', `an audio PES holds ${u.data.byteLength - o} bytes that are not ADTS frames: skipped`);
        return;
      }
      const ticks = start + Math.round((samplesBefore * PTS_HZ) / h.sampleRateHz);
      this.runEnd.audio(ticks, adtsFrameTicks(h));
      this.input.putAudioFrame(u.data.subarray(o, o + h.frameBytes), ticks / TICKS_PER_MS);
      samplesBefore += h.samples;
      o += h.frameBytes;
    }
  }

  private once(key: string, message: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    this.o.onProblem?.(message);
  }
}
