import { closeSync, openSync, readSync } from 'node:fs';
import type { DeviceConfig } from '../config/device-config-schema.ts';
import { DEFAULT_KEYFRAME_PICTURES, findFfmpeg, type KeyframePictures } from './ffmpeg-args.ts';
import { FfmpegSource } from './ffmpeg-source.ts';
import { FileSource } from './file-source.ts';
import type { MediaInput, MediaSource } from './media-input.ts';
import { PipeSource } from './pipe-source.ts';

/** The source device.json names, or undefined for `api` (firmware calls the library). */
export function createSource(input: MediaInput, c: DeviceConfig): MediaSource | undefined {
  const s = c.source;
  const stallMs = s.stallSeconds * 1000;
  // Keyframe pictures ride on the ffmpeg child (imageIntervalSeconds 0 turns them off; event pictures come with them).
  const pictures = c.imageIntervalSeconds > 0 ? DEFAULT_KEYFRAME_PICTURES : undefined;
  switch (s.type) {
    case 'file':
      // A container (.mp4, .mkv, .ts, ...) has timestamps: ffmpeg reads it and they are kept.
      if (!isAnnexB(s.path!)) return new FfmpegSource(input, { url: s.path!, audio: c.recording.audio, stallMs, loop: s.loop, pictures });
      return new FileSource(input, {
        videoPath: s.path!,
        audioPath: c.recording.audio ? s.audioPath : undefined,
        fps: s.fps,
        loop: s.loop,
        ...rawFilePictures(input, pictures),
      });
    case 'fifo':
      return new PipeSource(input, { videoPath: s.path!, audioPath: c.recording.audio ? s.audioPath : undefined, stallMs });
    case 'stdin':
      return new PipeSource(input, { stallMs, reopen: false });
    case 'rtsp':
      return new FfmpegSource(input, { url: s.url!, audio: c.recording.audio, stallMs, rtspTransport: s.rtspTransport, pictures });
    case 'api':
      return undefined;
  }
}

/**
 * A raw Annex-B file has no ffmpeg child to decode its keyframes: a short one decodes each
 * keyframe a picture is wanted of, when ffmpeg is installed (without it, no automatic
 * pictures, said once; recording is unaffected).
 */
function rawFilePictures(input: MediaInput, pictures: KeyframePictures | undefined): { pictures?: { ffmpegPath: string; pictures: KeyframePictures } } {
  if (!pictures) return {};
  const ffmpegPath = findFfmpeg();
  if (ffmpegPath) return { pictures: { ffmpegPath, pictures } };
  input.noteSourceNotice?.('no ffmpeg found: this raw video file gets no automatic keyframe pictures (install ffmpeg, or send pictures with putImage)');
  return {};
}

/**
 * True when a file starts like raw H.264 Annex B (a start code, after at most a few zero
 * bytes), false for anything else (a container). Unreadable files count as Annex B: the
 * file source then says what is wrong.
 */
export function isAnnexB(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, head.byteLength, 0);
    let i = 0;
    while (i < n && head[i] === 0) i++;
    return i >= 2 && i < n && head[i] === 1;
  } catch {
    return true;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
