import { ControlError } from '../core/agent-errors.ts';
import type { Logger } from '../core/json-logger.ts';
import { G711Transcoder, type G711Format } from '../sources/g711-transcoder.ts';

export interface G711InputOptions {
  readonly log: Logger;
  /** One AAC frame out of the transcoder, with its capture time. */
  readonly onFrame: (adtsFrame: Uint8Array, ptsMs: number) => void;
  /** The transcoder failed while running (counted as a source problem). */
  readonly onError: (err: Error) => void;
  /** The transcoder could not start (no ffmpeg): recorded as the last error. */
  readonly onRefused: (err: Error) => void;
  /** The first transcoder started: the agent closes it at stop. */
  readonly onFirstStart: () => void;
  /** A transcoder (re)started: audio is on its way, so video may wait a little for it. */
  readonly onStart: () => void;
}

/**
 * G.711 audio from the library (`putG711Audio`): one ffmpeg child transcoding to AAC, started
 * on the first samples and again when the format changes. Without ffmpeg the first write
 * throws a ControlError saying so, and later writes are ignored: video goes on either way.
 */
export class G711Input {
  private current: { transcoder: G711Transcoder; key: string } | undefined;
  private refused = false;

  constructor(private readonly o: G711InputOptions) {}

  write(samples: Uint8Array, format: G711Format, ptsMs: number): void {
    if (this.refused) return;
    const key = `${format.law}/${format.sampleRateHz ?? 8000}/${format.channels ?? 1}`;
    if (this.current?.key !== key) {
      const old = this.current?.transcoder;
      if (old) void old.close();
      let transcoder: G711Transcoder;
      try {
        transcoder = new G711Transcoder({ ...format, onFrame: this.o.onFrame, onError: this.o.onError });
      } catch (cause) {
        this.refused = true;
        this.o.onRefused(cause as Error);
        this.o.log.error('G.711 audio refused; recording video only', { err: cause });
        throw new ControlError((cause as Error).message, { cause });
      }
      if (!this.current) this.o.onFirstStart();
      this.current = { transcoder, key };
      this.o.onStart();
    }
    this.current.transcoder.write(samples, ptsMs);
  }

  async close(): Promise<void> {
    await this.current?.transcoder.close();
  }
}
