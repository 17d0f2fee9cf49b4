import { PTS_HZ } from '../../../media/ts/ts-constants.ts';
import { parseAdtsHeader, type AdtsHeader } from '../../../media/aac/adts-header.ts';
import { AdtsParser, type AdtsFrameEvent } from '../../../media/aac/adts-parser.ts';
import { AudioClock } from '../clock/audio-clock.ts';
import { AudioQueue, MAX_QUEUED_FILE_AUDIO_BYTES, MAX_QUEUED_LIVE_AUDIO_FRAMES } from './audio-queue.ts';

/** What audio needs of the segment writer (segment/segment-writer.ts is one): the open segment, a way in, and a flush. */
export interface AudioSegmentSink {
  readonly seg: { readonly frames: number; readonly lastDts: number } | undefined;
  /** Audio joins the open segment (its first frame came after the segment opened). */
  audioJoined(h: AdtsHeader): void;
  /** Writes the queued audio that plays before `beforeTicks`. */
  flushAudio(beforeTicks: number): void;
}

export interface AudioStageOptions {
  on: boolean;
  /** Files ('frame-rate' timing): audio timed by sample count, queue capped by bytes. */
  files: boolean;
  interleaver: { audioOn: boolean; audio(coveredTicks: number): boolean };
  /** The segment writer (audio joins its open segment). */
  writer: () => AudioSegmentSink;
  /** Bytes dropped (queue cap) are added here. */
  onDropped: (bytes: number) => void;
  onProblem: (message: string, offset: number, droppedBytes?: number) => void;
}

/**
 * The audio side of the pipeline: ADTS bytes or frames -> `AudioClock` -> `AudioQueue`,
 * where frames wait for the segment they belong to. Each frame tells the interleaver how
 * far audio has come (held video may go on), and joins the open segment when audio
 * started after it opened. Ignored while audio is off.
 */
export class AudioStage {
  private on: boolean;
  private readonly parser: AdtsParser;
  private readonly clock: AudioClock;
  readonly queue: AudioQueue;
  /** The latest ADTS header: the stream's AAC configuration, once audio came. */
  header: AdtsHeader | undefined;
  private ended = false;

  constructor(private readonly o: AudioStageOptions) {
    this.on = o.on;
    this.clock = new AudioClock(o.files);
    this.queue = new AudioQueue(o.files ? { bytes: MAX_QUEUED_FILE_AUDIO_BYTES } : { frames: MAX_QUEUED_LIVE_AUDIO_FRAMES });
    this.parser = new AdtsParser(
      (e) => this.onFrame(e, false),
      (message, offset) => o.onProblem(message, offset),
    );
  }

  get enabled(): boolean {
    return this.on;
  }

  /** Audio is on and its first frame may still come (not before the input ended without one). */
  get mayJoin(): boolean {
    return this.on && this.header === undefined && !this.ended;
  }

  /** Input bytes the ADTS parser threw away while resyncing. */
  get droppedBytes(): number {
    return this.parser.droppedBytes;
  }

  /** ADTS bytes, any chunking. */
  push(chunk: Uint8Array, arrivalMs: number): void {
    if (this.on) this.parser.push(chunk, arrivalMs);
  }

  /** Exactly one ADTS frame, at its capture time (UTC ms) when given. */
  put(frame: Uint8Array, ptsMs: number | undefined): void {
    if (!this.on) return;
    const header = parseAdtsHeader(frame, 0);
    if (!header || header.frameBytes !== frame.byteLength) {
      this.o.onProblem(`audio frame of ${frame.byteLength} bytes is not one ADTS frame`, 0, frame.byteLength);
      return;
    }
    this.onFrame({ frame, header, offset: 0, arrivalMs: ptsMs ?? Date.now() }, ptsMs !== undefined);
  }

  setEnabled(on: boolean): void {
    this.on = on;
    this.o.interleaver.audioOn = on;
    if (!on) this.queue.clear();
  }

  /** No more audio bytes (files): the last frame the parser holds goes in. */
  end(): void {
    this.parser.flush();
    this.ended = true;
  }

  private onFrame(e: AdtsFrameEvent, explicitTime: boolean): void {
    if (!this.on) return;
    this.header = e.header;
    const writer = this.o.writer();
    writer.audioJoined(e.header);
    const t = this.clock.next(e.header, e.arrivalMs, explicitTime);
    // File audio is timed by its sample count and live audio given a time keeps the source's; arrival-timed audio may be moved forward (AudioTimeline).
    const dropped = this.queue.push(e.frame, t.ticks, (e.header.samples * PTS_HZ) / e.header.sampleRateHz, this.o.files || explicitTime);
    if (dropped) this.o.onDropped(dropped);
    const seg = writer.seg;
    // Audio that came after the video it goes with is written at once (the segment may be cut before more video comes).
    if (!this.o.interleaver.audio(t.coveredTicks) && seg && seg.frames > 0 && t.ticks <= seg.lastDts) writer.flushAudio(seg.lastDts + 1);
  }
}
