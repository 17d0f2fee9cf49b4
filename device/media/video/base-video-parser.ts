import type { NalUnitEvent } from '../../../media/bitstream/annexb-splitter.ts';
import type { VideoCodec, VideoConfig, VideoParser } from './video-unit.ts';

/** A codec's access-unit assembler (`media/h264`, `media/h265`), as the parsers drive it. */
export interface NalAssembler {
  push(e: NalUnitEvent): void;
  flush(): void;
  markCorrupt(offset: number, arrivalMs: number, why: string): void;
  readonly heldFrom: number | undefined;
}

/**
 * What every codec parser does the same way: NAL units go to the codec's access-unit
 * assembler, which hands each finished unit back to the parser. A new codec is a parser
 * beside the others that brings its assembler and reads its own parameter sets.
 */
export abstract class BaseVideoParser implements VideoParser {
  abstract readonly codec: VideoCodec;
  protected abstract readonly assembler: NalAssembler;

  push(e: NalUnitEvent): void {
    this.assembler.push(e);
  }

  flush(): void {
    this.assembler.flush();
  }

  markCorrupt(offset: number, arrivalMs: number, why: string): void {
    this.assembler.markCorrupt(offset, arrivalMs, why);
  }

  get heldFrom(): number | undefined {
    return this.assembler.heldFrom;
  }

  abstract config(): VideoConfig | undefined;
  abstract restart(): void;
}
