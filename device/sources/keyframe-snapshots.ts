import { spawn } from 'node:child_process';
import type { VideoCodec } from '../media/video/video-unit.ts';
import type { KeyframePictures } from './ffmpeg-args.ts';
import type { MediaInput } from './media-input.ts';

/** ffmpeg's raw elementary-stream demuxer for each codec. */
const RAW_FORMAT: Readonly<Record<VideoCodec, string>> = { h264: 'h264', h265: 'hevc' };
/** A decode that takes longer than this is given up (the child is killed). */
const DECODE_TIMEOUT_MS = 10_000;

/**
 * One keyframe (its parameter sets and access unit, Annex B) decoded by an ffmpeg child
 * into a JPEG `widthPx` wide. Rejects with what ffmpeg said when it makes no picture.
 */
export function decodeKeyframe(ffmpegPath: string, codec: VideoCodec, annexB: Uint8Array, p: KeyframePictures): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const args = ['-nostdin', '-v', 'error', '-f', RAW_FORMAT[codec], '-i', 'pipe:0', '-frames:v', '1', '-vf', `scale=${p.widthPx}:-2`];
    const child = spawn(ffmpegPath, [...args, '-q:v', String(p.quality), '-f', 'mjpeg', 'pipe:1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), DECODE_TIMEOUT_MS);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdin.on('error', () => undefined); // ffmpeg may exit before reading everything; its exit code says how it went
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const jpeg = Buffer.concat(out);
      if (code === 0 && jpeg.byteLength > 0) resolve(jpeg);
      else reject(new Error(`ffmpeg made no picture of the keyframe (exit ${code}): ${err.trim().slice(0, 300) || 'no output'}`));
    });
    child.stdin.end(annexB);
  });
}

/**
 * Keyframe pictures for sources that do not run ffmpeg for their media (raw Annex-B
 * files): at a keyframe the input wants a picture of (`wantsKeyframePicture`), its
 * parameter sets and access unit go to a short ffmpeg child (decodeKeyframe), and the
 * JPEG to `putKeyframePicture`. One decode at a time; keyframes arriving meanwhile are
 * skipped, so the cost is one small decode per kept picture (by default one a minute).
 */
export class KeyframeSnapshots {
  private busy = false;

  constructor(
    private readonly input: MediaInput,
    private readonly o: { ffmpegPath: string; pictures: KeyframePictures },
  ) {}

  /** A keyframe at `tsMs`: `annexB()` gives its parameter sets and access unit (only called when a picture is wanted). */
  offer(codec: VideoCodec, annexB: () => Uint8Array, tsMs: number): void {
    if (this.busy || !this.input.putKeyframePicture || !this.input.wantsKeyframePicture?.(tsMs)) return;
    this.busy = true;
    decodeKeyframe(this.o.ffmpegPath, codec, annexB(), this.o.pictures)
      .then((jpeg) => this.input.putKeyframePicture!(jpeg, tsMs))
      .catch((e: Error) => this.input.noteSourceNotice?.(`keyframe picture skipped: ${e.message}`))
      .finally(() => (this.busy = false));
  }
}
