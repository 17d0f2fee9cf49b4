import type { NalUnitEvent } from '../../../media/bitstream/annexb-splitter.ts';
import { H264VideoParser } from './h264-video-parser.ts';
import { H265VideoParser } from './h265-video-parser.ts';
import { sniffVideoCodec } from './sniff-video-codec.ts';
import type { AssembledUnit, AssembledUnitSink, VideoCodec, VideoConfig, VideoParser, VideoUnitSink } from './video-unit.ts';

/** NAL units looked at to tell the codec before giving up (then H.264, whose parser reports the garbage). */
const MAX_SNIFF_NALS = 64;

export interface VideoStageOptions {
  /** A fixed codec; undefined: told from the stream's first NAL units (and again after each `resniff()`). */
  readonly codec?: VideoCodec;
  readonly maxFrameBytes: number;
  readonly onUnit: VideoUnitSink;
  /** The codec was told (first time, or a different one after `resniff()`); called before the units of that codec. */
  readonly onCodec?: (codec: VideoCodec, previous: VideoCodec | undefined) => void;
  /**
   * Assemble only: each access unit goes here as its assembler split it, and the parser
   * reads none of them (no parameter sets, no config, no `onUnit`). A raw-file source uses
   * this to find frame boundaries; the segmenter's stage reads the units (`putAssembled`).
   */
  readonly onAssembled?: AssembledUnitSink;
}

/**
 * The video parsing stage: NAL units in, access units out, whatever the codec. Holds one
 * parser (H.264 or H.265); when the codec is not fixed, NAL units wait (views, at most 64)
 * until one of them tells the codec (`sniffVideoCodec`), then go to that parser in order.
 * After `resniff()` (a source reconnected: the camera may have been switched between
 * H.264 and H.265) the next units tell it again; the same codec keeps its parser and
 * cached parameter sets, another one gets a new parser.
 */
export class VideoStage {
  private parser: VideoParser | undefined;
  private sniffing: NalUnitEvent[] | undefined;

  constructor(private readonly o: VideoStageOptions) {
    if (o.codec) this.parser = this.create(o.codec);
    else this.sniffing = [];
  }

  /** The codec in use, once told. */
  get codec(): VideoCodec | undefined {
    return this.sniffing ? undefined : this.parser?.codec;
  }

  push(e: NalUnitEvent): void {
    if (!this.sniffing) {
      this.parser!.push(e);
      return;
    }
    this.sniffing.push(e);
    const told = sniffVideoCodec(e.nal);
    if (told) this.decide(told);
    else if (this.sniffing.length >= MAX_SNIFF_NALS) this.decide(this.parser?.codec ?? 'h264');
  }

  /**
   * An access unit split by a stage of the same codec in assemble-only mode: read by this
   * stage's parser (parameter sets, picture order, `onUnit`) without assembling it again.
   * False, reading nothing, when this stage cannot take it as such (a fixed other codec, or
   * NAL units still waiting to tell the codec): give its NAL units to `push` instead.
   */
  putAssembled(a: AssembledUnit): boolean {
    if (this.o.codec && this.o.codec !== a.codec) return false;
    if (this.sniffing) {
      if (this.sniffing.length) return false;
      this.decide(a.codec);
    }
    const parser = this.parser!;
    if (parser.codec !== a.codec) return false;
    parser.flush();
    if (a.codec === 'h264') (parser as H264VideoParser).assembled(a.au);
    else (parser as H265VideoParser).assembled(a.au);
    return true;
  }

  /** Emit what is being collected. NAL units still waiting for the codec stay (a whole frame of SEI tells nothing). */
  flush(): void {
    this.parser?.flush();
  }

  /** End of input: units still waiting go to the current parser (or H.264) and are flushed. */
  end(): void {
    if (this.sniffing?.length) this.decide(this.parser?.codec ?? 'h264');
    this.parser?.flush();
  }

  markCorrupt(offset: number, arrivalMs: number, why: string): void {
    if (this.sniffing) this.decide(this.parser?.codec ?? 'h264');
    this.parser!.markCorrupt(offset, arrivalMs, why);
  }

  get heldFrom(): number | undefined {
    const first = this.sniffing?.[0]?.offset;
    const parsed = this.sniffing ? undefined : this.parser?.heldFrom;
    return first ?? parsed;
  }

  config(): VideoConfig | undefined {
    return this.sniffing ? undefined : this.parser?.config();
  }

  restart(): void {
    this.parser?.restart();
  }

  /** Tell the codec again from the next NAL units (only when it was not fixed). */
  resniff(): void {
    if (this.o.codec || this.sniffing) return;
    this.parser?.flush();
    this.sniffing = [];
  }

  private decide(codec: VideoCodec): void {
    const waiting = this.sniffing ?? [];
    this.sniffing = undefined;
    const previous = this.parser?.codec;
    if (previous !== codec) this.parser = this.create(codec);
    if (previous !== codec || previous === undefined) this.o.onCodec?.(codec, previous);
    for (const e of waiting) this.parser!.push(e);
  }

  private create(codec: VideoCodec): VideoParser {
    const { onUnit, maxFrameBytes, onAssembled } = this.o;
    return codec === 'h265' ? new H265VideoParser(onUnit, maxFrameBytes, onAssembled) : new H264VideoParser(onUnit, maxFrameBytes, onAssembled);
  }
}
