import { existsSync } from 'node:fs';

/**
 * What the ffmpeg child does with the camera's audio (video is always `-c:v copy`):
 * `copy` when it is AAC, `transcode` to AAC in the same child for anything else (G.711,
 * PCM, Opus, MP3, ...), `none` when the audio cannot be used at all or recording it is off.
 */
export type AudioPlan = 'copy' | 'transcode' | 'none';
export const AudioPlan = { COPY: 'copy', TRANSCODE: 'transcode', NONE: 'none' } as const satisfies Record<string, AudioPlan>;

/** RTP over TCP interleaved in the RTSP connection (default: passes NAT and firewalls, no loss) or over UDP. */
export type RtspTransport = 'tcp' | 'udp';

export interface FfmpegInput {
  /** rtsp(s)://... or a container file ffmpeg reads (.mp4, .mkv, .ts, ...). */
  readonly url: string;
  readonly audio: AudioPlan;
  /** @default 'tcp' */
  readonly rtspTransport?: RtspTransport;
  /** Files: play again from the start at the end (timestamps continue). */
  readonly loop?: boolean;
}

export const isRtspUrl = (url: string): boolean => /^rtsps?:\/\//i.test(url);

/** Bit rate of transcoded audio: plenty for G.711/voice, fine for music, within AAC's limits at 8 kHz mono. */
const TRANSCODE_AUDIO_KBPS = 48;

/**
 * The ffmpeg child's arguments: the source's own timestamps out to the agent in MPEG-TS
 * on stdout. Why MPEG-TS (measured in `npm run bench:agent`, see the README): it keeps
 * PTS and DTS of every access unit, ffmpeg writes it with no transcoding and little work,
 * and the agent's demuxer for it is ~250 lines of packet/PES parsing in the same format
 * family the agent writes. Video is copied; audio per `audio`.
 *
 * - `-bsf noise=drop=eq(pts,nopts)`: ffmpeg's RTSP demuxer hands out the very first
 *   packet without a timestamp; with B-frames the TS muxer then refuses the stream
 *   ("first pts and dts value must be set"). Dropping that one packet (its GOP is
 *   dropped by the segmenter anyway, which starts at an IDR) lets every stream through.
 * - `-pes_payload_size 0 -flush_packets 1`: every audio frame and video access unit
 *   leaves at once (ffmpeg would otherwise gather ~0.4 s of audio per PES, or 32 KB per
 *   write), so the agent sees audio in step with video and cuts with both in hand.
 */
export function ffmpegArgs(i: FfmpegInput): string[] {
  const rtsp = isRtspUrl(i.url);
  const input = rtsp
    ? ['-rtsp_transport', i.rtspTransport ?? 'tcp']
    : ['-re', ...(i.loop ? ['-stream_loop', '-1'] : [])];
  const dropUntimed = 'noise=drop=eq(pts\\,nopts)';
  const audio =
    i.audio === AudioPlan.COPY ? ['-map', '0:a:0?', '-c:a', 'copy', '-bsf:a', dropUntimed]
    : i.audio === AudioPlan.TRANSCODE ? ['-map', '0:a:0?', '-c:a', 'aac', '-b:a', `${TRANSCODE_AUDIO_KBPS}k`]
    : [];
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    ...input, '-i', i.url,
    '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', dropUntimed,
    ...audio,
    '-f', 'mpegts', '-pes_payload_size', '0', '-flush_packets', '1', 'pipe:1',
  ];
}

export function findFfmpeg(explicit?: string): string | undefined {
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  for (const p of ['/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg', '/opt/homebrew/bin/ffmpeg']) if (existsSync(p)) return p;
  return undefined;
}
