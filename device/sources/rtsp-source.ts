import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { SourceError } from '../agent/agent-errors.ts';
import { fullJitterDelayMs } from '../credentials/backoff.ts';
import type { MediaInput, MediaSource } from './media-input.ts';
import { StallWatchdog } from './stall-watchdog.ts';

export interface RtspSourceOptions {
  /** rtsp://... (any input ffmpeg reads works, which tests use). */
  url: string;
  audio: boolean;
  stallMs: number;
  /** @default /usr/bin/ffmpeg, else `ffmpeg` on PATH */
  ffmpegPath?: string;
}

/** File descriptor of the child's extra pipe carrying ADTS audio. */
const AUDIO_FD = 3;

/**
 * ffmpeg arguments: copy the camera's H.264 (as Annex B) to stdout and its AAC (as ADTS)
 * to fd 3. `-c copy`: no transcoding, so the CPU cost is demuxing only.
 */
export function ffmpegRtspArgs(url: string, audio: boolean): string[] {
  // A live camera paces itself; anything else (a file) is read at its native rate (-re).
  const input = /^rtsps?:\/\//.test(url) ? ['-rtsp_transport', 'tcp'] : ['-re'];
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    ...input, '-i', url,
    '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', 'pipe:1',
    ...(audio ? ['-map', '0:a:0?', '-c:a', 'copy', '-f', 'adts', `pipe:${AUDIO_FD}`] : []),
  ];
}

export function findFfmpeg(explicit?: string): string | undefined {
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  for (const p of ['/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg', '/opt/homebrew/bin/ffmpeg']) if (existsSync(p)) return p;
  return undefined;
}

/**
 * An RTSP camera through an ffmpeg child process. When ffmpeg exits or stalls it is
 * restarted with jittered backoff; each failure is counted and the agent keeps running.
 */
export class RtspSource implements MediaSource {
  private child: ChildProcess | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly input: MediaInput,
    private readonly o: RtspSourceOptions,
  ) {}

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
      this.input.noteSourceError(new SourceError('source.type rtsp needs ffmpeg, which is not installed: install ffmpeg (apt install ffmpeg) or feed the agent another source'));
      return;
    }
    while (!this.stopped) {
      const started = Date.now();
      const code = await this.runOnce(ffmpeg);
      if (this.stopped) return;
      if (Date.now() - started > 30_000) this.failures = 0;
      this.input.cutSegment();
      this.input.noteSourceError(new SourceError(`ffmpeg for ${redact(this.o.url)} exited (${code}); restarting`, { retryable: true }));
      await sleep(fullJitterDelayMs(this.failures++, 500, 30_000) + 200);
    }
  }

  private runOnce(ffmpeg: string): Promise<string> {
    return new Promise((resolve) => {
      const child = spawn(ffmpeg, ffmpegRtspArgs(this.o.url, this.o.audio), { stdio: ['ignore', 'pipe', 'pipe', ...(this.o.audio ? ['pipe' as const] : [])] });
      this.child = child;
      let stderr = '';
      const dog = new StallWatchdog(this.o.stallMs, (idleMs) => {
        this.input.noteSourceError(new SourceError(`${redact(this.o.url)} stalled: no video for ${idleMs} ms; restarting ffmpeg`, { retryable: true }));
        child.kill('SIGKILL');
      });
      child.stdout!.on('data', (c: Buffer) => {
        dog.kick();
        this.input.pushVideo(c);
      });
      (child.stdio[AUDIO_FD] as Readable | undefined)?.on('data', (c: Buffer) => this.input.pushAudio(c));
      child.stderr!.on('data', (c: Buffer) => {
        stderr = (stderr + c.toString('utf8')).slice(-500);
      });
      child.on('error', (err) => {
        dog.stop();
        resolve(err.message);
      });
      child.on('close', (code, signal) => {
        dog.stop();
        resolve(`${signal ?? `code ${code}`}${stderr ? `: ${stderr.trim()}` : ''}`);
      });
    });
  }
}

/** Hides a password in rtsp://user:pass@host URLs before logging. */
export const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
