import type { DeviceConfig } from '../config/device-config-schema.ts';
import { FileSource } from './file-source.ts';
import type { MediaInput, MediaSource } from './media-input.ts';
import { PipeSource } from './pipe-source.ts';
import { RtspSource } from './rtsp-source.ts';

/** The source device.json names, or undefined for `api` (firmware calls the library). */
export function createSource(input: MediaInput, c: DeviceConfig): MediaSource | undefined {
  const s = c.source;
  const stallMs = s.stallSeconds * 1000;
  switch (s.type) {
    case 'file':
      return new FileSource(input, { videoPath: s.path!, audioPath: c.recording.audio ? s.audioPath : undefined, fps: s.fps, loop: s.loop });
    case 'fifo':
      return new PipeSource(input, { videoPath: s.path!, audioPath: c.recording.audio ? s.audioPath : undefined, stallMs });
    case 'stdin':
      return new PipeSource(input, { stallMs, reopen: false });
    case 'rtsp':
      return new RtspSource(input, { url: s.url!, audio: c.recording.audio, stallMs });
    case 'api':
      return undefined;
  }
}
