import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Debian's gst-rtsp-server (through /usr/bin/python3 and python3-gi), started as a child
 * with camrec's launcher script: a real RTSP server, as a camera or an NVR is one.
 */
const LAUNCHER = fileURLToPath(new URL('./gst-rtsp-server.py', import.meta.url));
export const PYTHON = '/usr/bin/python3';
const START_TIMEOUT_MS = 30_000;

export interface CameraStream {
  /** @default 'h264' */
  codec?: 'h264' | 'h265';
  width?: number;
  height?: number;
  fps?: number;
  /** IDR interval in frames. @default 2 s worth */
  gopFrames?: number;
  /** B-frames between references (x264 / x265 bframes). @default 0 */
  bFrames?: number;
  /** @default 'aac' */
  audio?: 'aac' | 'alaw' | 'mulaw' | 'opus' | 'none';
  /** Video bit rate in kbit/s. @default 300 */
  kbps?: number;
}

/** A live camera-like gst-launch pipeline: test pattern -> x264 / x265 -> RTP H.264 / H.265, plus RTP audio. */
export function cameraPipeline(c: CameraStream = {}): string {
  const fps = c.fps ?? 25;
  const gop = c.gopFrames ?? 2 * fps;
  const b = c.bFrames ?? 0;
  const kbps = c.kbps ?? 300;
  const encoder =
    c.codec === 'h265'
      ? // x265enc: closed GOPs (IDR), B-frames only when asked (zerolatency has none).
        `x265enc speed-preset=ultrafast ${b > 0 ? '' : 'tune=zerolatency '}key-int-max=${gop} bitrate=${kbps} option-string="bframes=${b}:open-gop=0:scenecut=0:repeat-headers=1" ! video/x-h265,profile=main ! h265parse`
      : b > 0
        ? `x264enc speed-preset=ultrafast bframes=${b} b-adapt=false key-int-max=${gop} bitrate=${kbps} ! video/x-h264,profile=main`
        : `x264enc tune=zerolatency speed-preset=ultrafast key-int-max=${gop} bitrate=${kbps} ! video/x-h264,profile=baseline`;
  const pay = c.codec === 'h265' ? 'rtph265pay' : 'rtph264pay';
  // Not live sources: the server's sinks pace them in real time, and their timestamps stay
  // exact frame steps even when the machine is too busy to encode on time (a live source
  // would stamp late frames late, and a 50-frame GOP would then span more than 2 s).
  const video = `videotestsrc is-live=false pattern=ball ! video/x-raw,width=${c.width ?? 320},height=${c.height ?? 240},framerate=${fps}/1 ! ${encoder} ! ${pay} name=pay0 pt=96 config-interval=-1`;
  const tone = 'audiotestsrc is-live=false wave=sine freq=440 samplesperbuffer=1024';
  switch (c.audio ?? 'aac') {
    case 'aac':
      return `${video} ${tone} ! audio/x-raw,rate=48000,channels=1 ! audioconvert ! avenc_aac ! rtpmp4gpay name=pay1 pt=97`;
    case 'alaw':
      return `${video} ${tone} ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1`;
    case 'mulaw':
      return `${video} ${tone} ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay name=pay1`;
    case 'opus':
      return `${video} ${tone} ! audio/x-raw,rate=48000,channels=1 ! audioconvert ! opusenc ! rtpopuspay name=pay1 pt=98`;
    case 'none':
      return video;
  }
}

export interface RtspServer {
  readonly port: number;
  url(mount: string): string;
  /** Stops the server (SIGTERM) and starts it again on the same port (a camera rebooting). */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the server with `mounts` (path -> gst-launch pipeline); port 0 picks a free one. */
export async function startRtspServer(mounts: Record<string, string>, port = 0): Promise<RtspServer> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: apt-get install python3-gi gir1.2-gst-rtsp-server-1.0`);
  const args = [LAUNCHER, '--port', String(port), ...Object.entries(mounts).flatMap(([path, launch]) => ['--mount', `${path}=${launch}`])];
  let child: ChildProcess;
  const launch = async (p: number): Promise<number> => {
    child = spawn(
      PYTHON,
      args.map((a, i) => (i === 2 ? String(p) : a)),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (err = (err + c).slice(-4000)));
    const until = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const m = /ready (\d+)/.exec(out);
      if (m) return Number(m[1]);
      if (child.exitCode !== null) throw new Error(`gst-rtsp-server exited (${child.exitCode}): ${err}`);
      if (Date.now() > until) throw new Error(`gst-rtsp-server did not start in ${START_TIMEOUT_MS} ms: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  const bound = await launch(port);
  return {
    port: bound,
    url: (mount) => `rtsp://127.0.0.1:${bound}${mount}`,
    async restart(downMs = 500) {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await launch(bound);
    },
    stop: kill,
  };
}
