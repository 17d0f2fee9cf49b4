import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { SourceError } from '../core/agent-errors.ts';
import { redactSecrets } from '../core/redact-secrets.ts';
import { fullJitterDelayMs } from '../core/backoff.ts';
import { annexBNalUnits } from '../../media/bitstream/annexb-nal-units.ts';
import { NalType, nalType } from '../../media/h264/nal-unit-type.ts';
import { AudioPlan, ffmpegArgs, findFfmpeg, isRtspUrl, PICTURE_FD, type KeyframePictures, type RtspTransport } from './ffmpeg-args.ts';
import { JpegStream } from './jpeg-stream.ts';
import type { MediaInput, MediaSource } from './media-input.ts';
import { StallWatchdog } from './stall-watchdog.ts';
import { describeStreamType, TsStreamFeed, type ProgramInfo } from './ts-stream-feed.ts';

export interface FfmpegSourceOptions {
  /** rtsp(s)://... or a container file (.mp4, .mkv, .ts, ...). */
  url: string;
  /** Record audio when the source has it. */
  audio: boolean;
  stallMs: number;
  /** @default 'tcp' */
  rtspTransport?: RtspTransport;
  /** Files: loop (timestamps continue). RTSP is always reconnected. */
  loop?: boolean;
  /** @default /usr/bin/ffmpeg, else `ffmpeg` on PATH */
  ffmpegPath?: string;
  /** A JPEG of every keyframe to `input.putKeyframePicture` (see ffmpeg-args.ts). @default none */
  pictures?: KeyframePictures;
}

/** A keyframe picture is small (320 px wide); anything this big on fd 3 is not one. */
const MAX_PICTURE_BYTES = 1024 * 1024;

/** True when an H.264 access unit holds an IDR slice: a keyframe the picture decoder decodes. */
export function hasIdr(accessUnit: Uint8Array): boolean {
  for (const nal of annexBNalUnits(accessUnit)) if (nal.length && nalType(nal) === NalType.IDR) return true;
  return false;
}

/** A connection that lasted this long resets the backoff. */
const HEALTHY_RUN_MS = 30_000;
/** ffmpeg's complaints that point at the audio track when a connection yields no video. */
const AUDIO_TROUBLE = /\b(audio|aac|adts|decoder|encoder|codec|sample ?rate|channel)/i;
const STDERR_KEEP_CHARS = 2000;

interface RunResult {
  /** How ffmpeg ended, for the log (redacted). */
  reason: string;
  exitCode: number | null;
  videoUnits: number;
  /** The audio plan changed: start again at once (not a failure). */
  replan: boolean;
}

/**
 * A camera (RTSP) or a container file through an ffmpeg child: video copied, audio copied
 * when it is AAC and transcoded to AAC in the same child otherwise, all in MPEG-TS on a
 * pipe with the source's own PTS/DTS (`TsStreamFeed` maps them to wall clock once per
 * connection). When ffmpeg exits or stalls it is restarted with jittered backoff (a
 * file that ends without `loop` is done); every failure is counted and the agent runs on.
 * Each camera has its own child and state: one camera's failure touches no other.
 *
 * Pictures (with `pictures`): the same child decodes keyframes only and writes a small
 * JPEG of each to fd 3; each is stamped with the time of the newest IDR the feed handed
 * on (the child writes the picture right after that keyframe's packet, see ffmpegArgs)
 * and given to `input.putKeyframePicture`.
 *
 * Audio: the first connection copies; when its program shows audio that is not AAC the
 * child is restarted at once to transcode it (said once). A connection that yields no
 * video while ffmpeg complains about audio steps down (copy -> transcode -> none); with
 * none the camera is recorded as video only (said once). Audio trouble never stops video.
 */
export class FfmpegSource implements MediaSource {
  private child: ReturnType<typeof spawn> | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private failures = 0;
  private plan: AudioPlan;
  /** Where the previous connection's times ended (90 kHz, `TsStreamFeed.endTicks`): the next one starts there at the earliest. */
  private floorTicks: number | undefined;
  private readonly said = new Set<string>();
  private readonly safeUrl: string;

  constructor(
    private readonly input: MediaInput,
    private readonly o: FfmpegSourceOptions,
  ) {
    this.plan = o.audio ? AudioPlan.COPY : AudioPlan.NONE;
    this.safeUrl = redactSecrets(o.url);
  }

  /** What the child does with audio now (tests, status). */
  get audioPlan(): AudioPlan {
    return this.plan;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.child?.kill('SIGKILL');
    await this.loop;
  }

  private async run(): Promise<void> {
    const ffmpeg = findFfmpeg(this.o.ffmpegPath);
    if (!ffmpeg) {
      this.input.noteSourceError(
        new SourceError(
          `${isRtspUrl(this.o.url) ? 'an RTSP source' : `the file ${this.safeUrl}`} needs ffmpeg, which is not installed: install ffmpeg (apt install ffmpeg) or feed the agent raw H.264 (a .h264 file, a FIFO or stdin)`,
        ),
      );
      return;
    }
    const rtsp = isRtspUrl(this.o.url);
    while (!this.stopped) {
      const started = Date.now();
      const r = await this.runOnce(ffmpeg);
      if (this.stopped) return;
      this.input.cutSegment();
      if (r.replan) continue;
      if (!rtsp && !this.o.loop && r.exitCode === 0 && r.videoUnits > 0) {
        this.notice(`file ${this.safeUrl} played to its end`);
        return;
      }
      if (Date.now() - started > HEALTHY_RUN_MS) this.failures = 0;
      if (r.videoUnits === 0 && this.plan !== AudioPlan.NONE && AUDIO_TROUBLE.test(r.reason)) this.stepDownAudio(r.reason);
      this.input.noteSourceError(new SourceError(`ffmpeg for ${this.safeUrl} exited (${r.reason}); restarting`, { retryable: true }));
      await sleep(fullJitterDelayMs(this.failures++, 500, 30_000) + 200);
    }
  }

  private stepDownAudio(reason: string): void {
    if (this.plan === AudioPlan.COPY) {
      this.plan = AudioPlan.TRANSCODE;
      this.notice(`${this.safeUrl}: ffmpeg could not copy the audio (${reason}); transcoding it to AAC from now on`);
    } else {
      this.plan = AudioPlan.NONE;
      this.notice(`${this.safeUrl}: the camera's audio cannot be used (${reason}); recording video only`);
    }
  }

  private onProgram(p: ProgramInfo): boolean {
    if (this.plan === AudioPlan.COPY && p.audioStreamType !== undefined && !p.audioIsAac) {
      this.plan = AudioPlan.TRANSCODE;
      this.notice(`${this.safeUrl}: the camera's audio is ${describeStreamType(p.audioStreamType)}, not AAC: ffmpeg transcodes it to AAC (video stays copied)`);
      return true;
    }
    return false;
  }

  private runOnce(ffmpeg: string): Promise<RunResult> {
    return new Promise((resolve) => {
      let replan = false;
      let keyframeMs: number | undefined;
      const input: Pick<MediaInput, 'putVideoFrame' | 'putAudioFrame'> = this.o.pictures
        ? {
            putVideoFrame: (au, ptsMs, dtsMs) => {
              if (ptsMs !== undefined && hasIdr(au)) keyframeMs = ptsMs;
              this.input.putVideoFrame(au, ptsMs, dtsMs);
            },
            putAudioFrame: (frame, ptsMs) => this.input.putAudioFrame(frame, ptsMs),
          }
        : this.input;
      const feed = new TsStreamFeed(input, {
        floorTicks: this.floorTicks,
        onProgram: (p) => {
          if (!replan && this.onProgram(p)) {
            replan = true;
            child.kill('SIGKILL');
          }
        },
        onProblem: (m) => this.notice(`${this.safeUrl}: ${m}`),
      });
      const args = ffmpegArgs({ url: this.o.url, audio: this.plan, rtspTransport: this.o.rtspTransport, loop: this.o.loop, pictures: this.o.pictures });
      const child = spawn(ffmpeg, args, { stdio: this.o.pictures ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'] });
      this.child = child;
      if (this.o.pictures) {
        const jpegs = new JpegStream({
          maxBytes: MAX_PICTURE_BYTES,
          onImage: (jpeg) => {
            if (keyframeMs !== undefined && !replan) this.input.putKeyframePicture?.(jpeg, keyframeMs);
          },
          onCorrupt: (m) => this.notice(`${this.safeUrl}: keyframe pictures: ${m}`),
        });
        (child.stdio[PICTURE_FD] as NodeJS.ReadableStream).on('data', (c: Buffer) => jpegs.push(c));
      }
      let stderr = '';
      const dog = new StallWatchdog(this.o.stallMs, (idleMs) => {
        this.input.noteSourceError(new SourceError(`${this.safeUrl} stalled: no data for ${idleMs} ms; restarting ffmpeg`, { retryable: true }));
        child.kill('SIGKILL');
      });
      child.stdout!.on('data', (c: Buffer) => {
        dog.kick();
        if (!replan) feed.push(c, Date.now());
      });
      child.stderr!.on('data', (c: Buffer) => {
        stderr = (stderr + c.toString('utf8')).slice(-STDERR_KEEP_CHARS);
      });
      const done = (reason: string, exitCode: number | null) => {
        dog.stop();
        if (!replan) feed.end();
        if (feed.endTicks !== undefined) this.floorTicks = feed.endTicks;
        if (this.child === child) this.child = undefined;
        resolve({ reason: redactSecrets(reason), exitCode, videoUnits: feed.videoUnits, replan });
      };
      child.on('error', (err) => done(err.message, null));
      child.on('close', (code, signal) => done(`${signal ?? `code ${code}`}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`, code));
    });
  }

  private notice(message: string): void {
    if (this.said.has(message)) return;
    this.said.add(message);
    this.input.noteSourceNotice?.(redactSecrets(message));
  }
}
