import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** GStreamer (Debian 1.22) as an outside judge, through python3-gi: decoding and codec strings. */

const PYTHON = '/usr/bin/python3';
const DECODE = fileURLToPath(new URL('./gst-decode.py', import.meta.url));
const CODEC_STRING = fileURLToPath(new URL('./gst-codec-string.py', import.meta.url));

/** Fails (never skips) when GStreamer or its Python bindings are missing. */
export function requireGstreamer(): void {
  const r = existsSync(PYTHON)
    ? spawnSync(
        PYTHON,
        ['-c', "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstPbutils', '1.0'); from gi.repository import Gst, GstPbutils"],
        { encoding: 'utf8' },
      )
    : undefined;
  if (!r || r.status !== 0) {
    throw new Error(
      `GStreamer with Python bindings is missing (${r?.stderr.trim() ?? `${PYTHON} not found`}): apt-get install python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav`,
    );
  }
}

export interface GstDecodeResult {
  videoFrames: number;
  audioBuffers: number;
  firstVideoPts: number | null;
  lastVideoPts: number | null;
  videoCaps: string | null;
  errors: string[];
  warnings: string[];
  eos: boolean;
}

/** Decodes a file (an HLS playlist goes through hlsdemux) with uridecodebin and reports what came out. */
export function gstDecode(path: string, timeoutSeconds = 120): GstDecodeResult {
  const r = spawnSync(PYTHON, [DECODE, pathToFileURL(path).href, String(timeoutSeconds)], { encoding: 'utf8', timeout: (timeoutSeconds + 30) * 1000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as GstDecodeResult;
  } catch {
    throw new Error(`gst-decode.py gave no result (exit ${r.status}): ${r.stderr}`);
  }
}

/** GStreamer's RFC 6381 codec string for the video of a raw H.265 / H.264 stream or an MP4. */
export function gstCodecString(path: string, kind: 'hevc' | 'h264' | 'mp4'): string {
  const r = spawnSync(PYTHON, [CODEC_STRING, path, kind], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`gst-codec-string.py failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}
