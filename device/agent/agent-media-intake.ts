import type { AgentCounters } from '../core/agent-counters.ts';
import type { Logger } from '../core/json-logger.ts';
import { joinNals } from '../media/bytes.ts';
import type { AssembledUnit } from '../media/video/video-unit.ts';
import type { G711Format } from '../sources/g711-transcoder.ts';
import type { MediaInput } from '../sources/media-input.ts';
import type { AgentParts } from './compose-agent.ts';
import type { G711Input } from './g711-input.ts';

/**
 * What a source or the camera's firmware feeds the agent: video, audio, pictures, cuts and
 * source problems. Each call is checked against the agent's state (nothing is taken before
 * `start`, in privacy pause, or audio while audio is off) and handed to the segmenter; a
 * refused input is counted and logged, never thrown out of the agent.
 *
 * The Agent (agent.ts) extends this class, so these are its public methods: this file
 * holds the input side of the library face, agent.ts its life cycle and switches.
 */
export abstract class AgentMediaIntake implements MediaInput {
  abstract readonly log: Logger;
  protected abstract readonly now: () => number;
  protected abstract readonly counters: AgentCounters;
  protected abstract readonly g711: G711Input;
  /** The parts, while the agent runs; a ControlError otherwise. */
  protected abstract running(): AgentParts;
  /** The parts while the agent runs, whatever the switches say; undefined otherwise. */
  protected abstract runningParts(): AgentParts | undefined;
  protected abstract privacyPaused(): boolean;
  protected abstract audioOn(): boolean;
  /** Records `err` as the status answer's last error. */
  protected abstract noteError(err: Error): void;

  /** Settles firstVideoFrame (declared first: a field declared after the promise would be reset to undefined once the promise set it). */
  private firstVideoSeen: (() => void) | undefined;
  /**
   * Resolves once the first video reached the segmenter, whichever way it came (putVideoFrame,
   * putVideoNals, putVideoAssembled, or pushVideo's first bytes): the recording clock runs from
   * then. Video not taken (before `start`, in privacy pause, or refused by the segmenter) does
   * not count. `camrec local` starts its emulators once every camera's agent resolved it.
   */
  readonly firstVideoFrame: Promise<void> = new Promise((seen) => (this.firstVideoSeen = seen));

  /**
   * One H.264 access unit in Annex B. `ptsMs`: its capture (presentation) time, UTC ms
   * (default now). With `dtsMs` too (its decode time, from the encoder), the stream may
   * carry B-frames: both are kept, in the encoder's order. Fractions of a ms are fine.
   */
  putVideoFrame(accessUnit: Uint8Array, ptsMs?: number, dtsMs?: number): void {
    const p = this.accepting();
    if (p) this.takeVideo(() => p.segmenter.putVideoFrame(accessUnit, ptsMs ?? this.now(), dtsMs));
  }

  /** One access unit as its NAL units (no start codes), split by the caller: putVideoFrame without splitting the frame again. */
  putVideoNals(nals: readonly Uint8Array[], ptsMs?: number, dtsMs?: number): void {
    const p = this.accepting();
    if (!p) return;
    const s = p.segmenter;
    this.takeVideo(() => (s.putVideoNals ? s.putVideoNals(nals, ptsMs ?? this.now(), dtsMs) : s.putVideoFrame(joinNals(nals), ptsMs ?? this.now(), dtsMs)));
  }

  /** One access unit as a source's assembler split it (the raw-file source): the segmenter's parser reads it without assembling it again. */
  putVideoAssembled(unit: AssembledUnit, ptsMs?: number, dtsMs?: number): void {
    const p = this.accepting();
    if (!p) return;
    const s = p.segmenter;
    const t = ptsMs ?? this.now();
    if (s.putVideoAssembled) this.takeVideo(() => s.putVideoAssembled!(unit, t, dtsMs));
    else this.putVideoNals(unit.au.nals, t, dtsMs);
  }

  /** One ADTS AAC frame, with its capture (presentation) time (UTC ms, default now). */
  putAudioFrame(adtsFrame: Uint8Array, ptsMs?: number): void {
    const p = this.accepting();
    if (p && this.audioOn()) this.guard(() => p.segmenter.putAudioFrame(adtsFrame, ptsMs ?? this.now()));
  }

  /**
   * G.711 audio (A-law or mu-law, one byte per sample, any chunking) captured at `ptsMs`
   * (UTC ms, default now): transcoded to AAC by an ffmpeg child and recorded with the
   * video. Without ffmpeg the first call throws a ControlError saying so (later calls are
   * ignored): video goes on either way.
   */
  putG711Audio(samples: Uint8Array, format: G711Format, ptsMs?: number): void {
    if (this.accepting() && this.audioOn()) this.g711.write(samples, format, ptsMs ?? this.now());
  }

  /** Raw Annex-B bytes from a pipe, any chunking. Do not reuse the chunk's memory. */
  pushVideo(chunk: Uint8Array, arrivalMs?: number): void {
    const p = this.accepting();
    if (p) this.takeVideo(() => p.segmenter.pushVideo(chunk, arrivalMs ?? this.now()));
  }

  /** Raw ADTS bytes from a pipe, any chunking. */
  pushAudio(chunk: Uint8Array, arrivalMs?: number): void {
    const p = this.accepting();
    if (p && this.audioOn()) this.guard(() => p.segmenter.pushAudio(chunk, arrivalMs ?? this.now()));
  }

  /**
   * A picture the camera took (a JPEG from its SoC's encoder), at `tsMs` (UTC ms, default
   * now): checked at once (SOI/EOI framing, at most 1 MiB: a ControlError says what is
   * wrong), then encrypted like a segment under the current data key and queued write-once
   * under images/{deviceId}/ (event-images/ while an event is open). Resolves with its
   * object key once it is queued (spooled), or undefined in privacy pause (nothing is
   * recorded then).
   */
  putImage(jpeg: Uint8Array, tsMs?: number): Promise<string | undefined> {
    const p = this.running();
    const checked = p.images.check(jpeg, tsMs);
    if (this.privacyPaused()) return Promise.resolve(undefined);
    // Copied: the caller may reuse its buffer as soon as this returns.
    const copy = Buffer.from(jpeg);
    return p.images.commit(copy, checked).catch((err: Error) => {
      this.noteError(err);
      this.log.error('picture not recorded', { err });
      throw err;
    });
  }

  /**
   * A keyframe picture from an ffmpeg-fed source (see sources/ffmpeg-args.ts): kept at each
   * event start and once per `imageIntervalSeconds` (in event mode only while an event
   * records), dropped otherwise.
   */
  putKeyframePicture(jpeg: Uint8Array, tsMs: number): void {
    this.runningParts()?.keyframePictures.offer(jpeg, tsMs);
  }

  /** Whether a keyframe picture at `tsMs` would be kept now: a source that decodes a keyframe only on demand asks first. */
  wantsKeyframePicture(tsMs: number): boolean {
    return this.runningParts()?.keyframePictures.wants(tsMs) ?? false;
  }

  /** Cuts the open segment now (e.g. the source stalled or closed). */
  cutSegment(): void {
    const p = this.accepting();
    if (p) this.guard(() => p.segmenter.closeSegment());
  }

  /** Counts a source problem (stall, close, open failure) and records it as the last error. */
  noteSourceError(err: Error): void {
    this.counters.sourceErrors++;
    this.noteError(err);
    this.log.warn('source problem', { err });
  }

  /** A source's one-time notice (audio transcoded, video only, a file ended): logged, not counted. */
  noteSourceNotice(message: string): void {
    this.log.warn('source', { message });
  }

  /** The parts while media is taken (running, not in privacy pause). */
  protected accepting(): AgentParts | undefined {
    return this.privacyPaused() ? undefined : this.runningParts();
  }

  /** Video to the segmenter (every video entry point goes through here): the first it takes settles firstVideoFrame. */
  private takeVideo(fn: () => void): void {
    if (this.guard(fn) && this.firstVideoSeen) {
      this.firstVideoSeen();
      this.firstVideoSeen = undefined;
    }
  }

  /** Input errors from the segmenter never stop the agent. True when `fn` ran without one. */
  protected guard(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      this.noteError(err as Error);
      this.counters.inputErrors++;
      this.log.error('media input refused', { err });
      return false;
    }
  }
}
