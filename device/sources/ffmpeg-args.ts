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
  /** A small JPEG of every keyframe on fd 3 (see ffmpegArgs). @default none */
  readonly pictures?: KeyframePictures;
}

/** Keyframe pictures: decoded from keyframes only, scaled to `widthPx` wide, JPEG at `quality` (2 best .. 31 worst). */
export interface KeyframePictures {
  readonly widthPx: number;
  readonly quality: number;
}

/** The file descriptor the child writes keyframe pictures to (stdio[3]). */
export const PICTURE_FD = 3;
export const DEFAULT_KEYFRAME_PICTURES: KeyframePictures = { widthPx: 320, quality: 7 };

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
 *
 * With `pictures`, a second output in the same child (one connection to the camera): the
 * video decoder runs with `-skip_frame nokey`, so it decodes keyframes only (every other
 * frame is dropped before decoding: the cost is one decode per GOP, not per frame), single
 * threaded and low-delay so each picture leaves as its keyframe is decoded (frame threads
 * and reordering would hold it back by frames); each is scaled to `widthPx` wide and
 * written as a JPEG to fd 3 (`-fps_mode passthrough`: one JPEG per decoded keyframe, none
 * duplicated). `setpts=N/TB` numbers the pictures 0, 1, 2 ... seconds: when the camera's
 * clock steps back (ffmpeg's RTSP demuxer re-basing on a late first RTCP sender report, an
 * NTP step, a server restarting a shared stream), a keyframe decoded after the step would
 * reach the JPEG encoder with a time at or before the last one's, and ffmpeg stops the whole
 * child on it ("Invalid pts ... Error submitting video frame to the encoder"), recording
 * included. A picture's time is taken from its keyframe on stdout (FfmpegSource), not from
 * the JPEG, so nothing is lost by numbering them. The copied video on stdout is untouched:
 * `-skip_frame` acts on the decoder, and stream copy takes packets before it. The agent
 * keeps the pictures it wants (one per `imageIntervalSeconds`, one at each event start) and
 * drops the rest.
 */
export function ffmpegArgs(i: FfmpegInput): string[] {
  const rtsp = isRtspUrl(i.url);
  const input = rtsp ? ['-rtsp_transport', i.rtspTransport ?? 'tcp'] : ['-re', ...(i.loop ? ['-stream_loop', '-1'] : [])];
  const dropUntimed = 'noise=drop=eq(pts\\,nopts)';
  const audio =
    i.audio === AudioPlan.COPY
      ? ['-map', '0:a:0?', '-c:a', 'copy', '-bsf:a', dropUntimed]
      : i.audio === AudioPlan.TRANSCODE
        ? ['-map', '0:a:0?', '-c:a', 'aac', '-b:a', `${TRANSCODE_AUDIO_KBPS}k`]
        : [];
  const p = i.pictures;
  const keyframesOnly = p ? ['-skip_frame:v', 'nokey', '-flags:v', '+low_delay', '-threads:v', '1'] : [];
  const pictures = p
    ? [
        '-map',
        '0:v:0',
        '-vf',
        `setpts=N/TB,scale=${p.widthPx}:-2`,
        '-fps_mode:v',
        'passthrough',
        '-c:v',
        'mjpeg',
        '-pix_fmt',
        'yuvj420p',
        '-q:v',
        String(p.quality),
        '-f',
        'image2pipe',
        `pipe:${PICTURE_FD}`,
      ]
    : [];
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...input,
    ...keyframesOnly,
    '-i',
    i.url,
    '-map',
    '0:v:0',
    '-c:v',
    'copy',
    '-bsf:v',
    dropUntimed,
    ...audio,
    '-f',
    'mpegts',
    '-pes_payload_size',
    '0',
    '-flush_packets',
    '1',
    'pipe:1',
    ...pictures,
  ];
}

export function findFfmpeg(explicit?: string): string | undefined {
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  for (const p of ['/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg', '/opt/homebrew/bin/ffmpeg']) if (existsSync(p)) return p;
  return undefined;
}
