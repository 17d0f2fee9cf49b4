import { spawn, type ChildProcess } from 'node:child_process';
import { AdtsParser } from '../../media/aac/adts-parser.ts';
import { findFfmpeg } from './ffmpeg-args.ts';

/** G.711 companding law: A-law (Europe, most IP cameras' default) or mu-law (North America, Japan). */
export type G711Law = 'alaw' | 'mulaw';

export interface G711Format {
  readonly law: G711Law;
  /** @default 8000 */
  readonly sampleRateHz?: number;
  /** @default 1 */
  readonly channels?: number;
}

export interface G711TranscoderOptions extends G711Format {
  /** Each AAC frame (ADTS) with its presentation time, UTC ms. */
  readonly onFrame: (adtsFrame: Uint8Array, ptsMs: number) => void;
  readonly onError: (err: Error) => void;
  readonly ffmpegPath?: string;
}

/** ffmpeg's AAC encoder puts 1024 samples of priming in front: output frame k starts (k - 1) x 1024 samples after the input. */
const AAC_PRIMING_SAMPLES = 1024;
/** Input whose time is further than this from where the samples so far put it starts a new run (a gap or a clock step). */
const REANCHOR_MS = 200;

interface Run {
  child: ChildProcess;
  /** UTC ms of the run's first input sample. */
  anchorMs: number;
  samplesIn: number;
  framesOut: number;
}

/**
 * G.711 to AAC for the library API, through an ffmpeg child (`-f alaw|mulaw -i pipe:0
 * -c:a aac -f adts pipe:1`). Times: the caller gives each chunk's capture time; a run of
 * contiguous chunks keeps the first one's time and counts samples from it, so the AAC
 * frames come out on the camera's clock; a chunk that does not follow on (a gap, a clock
 * step) ends the run and starts another.
 */
export class G711Transcoder {
  private run: Run | undefined;
  private readonly ffmpeg: string;
  private readonly rate: number;
  private readonly channels: number;

  /** Throws when ffmpeg is not installed (the message says what to do). */
  constructor(private readonly o: G711TranscoderOptions) {
    const ffmpeg = findFfmpeg(o.ffmpegPath);
    if (!ffmpeg)
      throw new Error(
        'G.711 audio needs ffmpeg to transcode it to AAC, and ffmpeg is not installed: install ffmpeg (apt install ffmpeg), or give the agent AAC (ADTS) frames with putAudioFrame',
      );
    this.ffmpeg = ffmpeg;
    this.rate = o.sampleRateHz ?? 8000;
    this.channels = o.channels ?? 1;
  }

  /** G.711 samples (one byte per sample and channel), captured at `ptsMs` (UTC ms). */
  write(samples: Uint8Array, ptsMs: number): void {
    let r = this.run;
    if (r && Math.abs(ptsMs - (r.anchorMs + (r.samplesIn * 1000) / this.rate)) > REANCHOR_MS) {
      this.end(r);
      r = undefined;
    }
    r ??= this.start(ptsMs);
    r.samplesIn += samples.byteLength / this.channels;
    r.child.stdin!.write(samples);
  }

  /** Flushes and ends the child; resolves once its last frames are out. */
  async close(): Promise<void> {
    const r = this.run;
    if (!r) return;
    this.end(r);
    if (r.child.exitCode === null) await new Promise((resolve) => r.child.once('close', resolve));
  }

  private start(anchorMs: number): Run {
    const child = spawn(
      this.ffmpeg,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        // Raw G.711 needs no probing; ffmpeg would otherwise read ~2 s of it before the first frame out.
        '-probesize',
        '32',
        '-analyzeduration',
        '0',
        '-f',
        this.o.law,
        '-ar',
        String(this.rate),
        '-ac',
        String(this.channels),
        '-i',
        'pipe:0',
        '-c:a',
        'aac',
        '-b:a',
        '32k',
        '-f',
        'adts',
        '-flush_packets',
        '1',
        'pipe:1',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const run: Run = { child, anchorMs, samplesIn: 0, framesOut: 0 };
    const parser = new AdtsParser((e) => {
      const startSample = run.framesOut * e.header.samples - AAC_PRIMING_SAMPLES;
      run.framesOut++;
      this.o.onFrame(e.frame, run.anchorMs + (startSample * 1000) / this.rate);
    });
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => parser.push(c, 0));
    child.stdout!.on('end', () => parser.flush());
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-500)));
    child.stdin!.on('error', () => {}); // reported through 'close'
    child.on('error', (err) => this.o.onError(err));
    child.on('close', (code) => {
      if (code !== 0 && code !== null) this.o.onError(new Error(`ffmpeg G.711 -> AAC exited (code ${code}): ${stderr.trim()}`));
    });
    this.run = run;
    return run;
  }

  private end(r: Run): void {
    if (this.run === r) this.run = undefined;
    r.child.stdin!.end();
  }
}
