import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encryptSegment, encryptSegmentInPlace, randomSegmentIv } from '../media/encrypt/encrypt-segment.ts';
import { SegmentFileStream } from '../media/file/segment-file-stream.ts';
import { segmentFiles } from '../media/file/segment-files.ts';
import { writeWholeFile } from '../media/file/write-whole-file.ts';
import { segmentBuffer } from '../media/live-segmenter.ts';
import { buildVodPlaylist, type PlaylistSegment } from '../media/hls/vod-playlist.ts';
import { MediaError } from '../../media/media-error.ts';
import type { ContainerKind } from '../media/container/segment-container.ts';

const USAGE = `usage: camrec segment --video in.h264|in.h265 [--audio in.aac] --out DIR [--segment-seconds 6]
                      [--container ts|fmp4] [--fps N] [--key HEX32 | --no-encrypt]

Muxes an H.264 or H.265 Annex-B file (the codec is told from the stream; and an AAC ADTS
file) into HLS: DIR/index.m3u8 (VOD), DIR/segment-NNNNN.ts or .m4s (AES-128 encrypted
unless --no-encrypt), DIR/key.bin, and for fMP4 the init section(s) DIR/init-ID.mp4 (clear,
as EXT-X-MAP; ID is the hash of its bytes). --container defaults to ts for H.264 and fmp4
for H.265 (H.265 is written in fMP4 only).
`;

const KEY_FILE = 'key.bin';
const PLAYLIST_FILE = 'index.m3u8';
const segmentName = (i: number, container: ContainerKind): string => `segment-${String(i).padStart(5, '0')}.${container === 'fmp4' ? 'm4s' : 'ts'}`;
const initName = (id: string): string => `init-${id}.mp4`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface SegmentArgs {
  video: string;
  audio?: string;
  out: string;
  segmentSeconds: number;
  container?: ContainerKind;
  fps?: number;
  key?: Uint8Array;
  encrypt: boolean;
}

function parse(argv: string[]): SegmentArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        video: { type: 'string' },
        audio: { type: 'string' },
        out: { type: 'string' },
        'segment-seconds': { type: 'string' },
        container: { type: 'string' },
        fps: { type: 'string' },
        key: { type: 'string' },
        'no-encrypt': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const problems: string[] = [];
  if (!values.video) problems.push('--video FILE is required (an H.264 or H.265 Annex-B elementary stream)');
  const container = values.container;
  if (container !== undefined && container !== 'ts' && container !== 'fmp4')
    problems.push(`--container ${container}: must be ts (MPEG-TS) or fmp4 (fragmented MP4)`);
  if (!values.out) problems.push('--out DIR is required');
  const segmentSeconds = values['segment-seconds'] === undefined ? 6 : Number(values['segment-seconds']);
  if (!(segmentSeconds > 0 && segmentSeconds <= 600))
    problems.push(`--segment-seconds ${values['segment-seconds']}: must be a number of seconds from 0 to 600`);
  const fps = values.fps === undefined ? undefined : Number(values.fps);
  if (fps !== undefined && !(fps > 0 && fps <= 300)) problems.push(`--fps ${values.fps}: must be a frame rate from 0 to 300`);
  if (values.key !== undefined && values['no-encrypt']) problems.push('--key and --no-encrypt exclude each other');
  let key: Uint8Array | undefined;
  if (values.key !== undefined) {
    if (!/^[0-9a-fA-F]{32}$/.test(values.key)) problems.push('--key must be 32 hex digits (a 16-byte AES-128 key)');
    else key = Buffer.from(values.key, 'hex');
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  return {
    video: values.video!,
    audio: values.audio,
    out: values.out!,
    segmentSeconds,
    fps,
    key,
    encrypt: !values['no-encrypt'],
    ...(container ? { container: container as ContainerKind } : {}),
  };
}

/** `camrec segment`: exit code 0 on success, 1 on an unusable input, 2 on bad arguments. */
export async function run(argv: string[]): Promise<number> {
  let args: SegmentArgs | 'help';
  try {
    args = parse(argv);
  } catch (err) {
    process.stderr.write(`camrec segment: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  for (const [flag, path] of [
    ['--video', args.video],
    ['--audio', args.audio],
  ] as const) {
    if (path === undefined) continue;
    try {
      await access(path);
    } catch {
      process.stderr.write(`camrec segment: ${flag} ${path}: no such file (give the path of an existing file)\n`);
      return 1;
    }
  }
  const started = process.hrtime.bigint();
  const key = args.encrypt ? (args.key ?? randomBytes(16)) : undefined;
  // MPEG-TS segments are encrypted and written as they are muxed, part by part (see SegmentFileStream).
  const files = new SegmentFileStream(args.out, key);
  try {
    await mkdir(args.out, { recursive: true });
    if (key) {
      // The plain AES key: readable by its owner only (chmod too: an existing file keeps its mode on write).
      const keyPath = join(args.out, KEY_FILE);
      await writeFile(keyPath, key, { mode: 0o600 });
      await chmod(keyPath, 0o600);
    }
    const entries: PlaylistSegment[] = [];
    let seconds = 0;
    let outBytes = 0;
    const warnings: string[] = [];
    const inits = new Set<string>();
    let container: ContainerKind | undefined;
    const { stats, inputBytes, videoCodec } = await segmentFiles({
      videoPath: args.video,
      audioPath: args.audio,
      segmentSeconds: args.segmentSeconds,
      ...(args.container ? { container: args.container } : {}),
      fps: args.fps,
      streamSegments: files,
      // fMP4: each segment is encrypted in place and written before its memory is reused; the
      // next one is muxed meanwhile (in a second buffer).
      recycleSegments: true,
      overlapReceiver: true,
      onInputError: (e) => {
        if (warnings.length < 10) warnings.push(e.message);
      },
      onSegment: async (seg) => {
        container = seg.container;
        const uri = segmentName(entries.length, seg.container);
        // An fMP4 init section is written once (clear: see buildVodPlaylist), before the first segment that needs it.
        const mapUri = seg.init ? initName(seg.init.id) : undefined;
        if (seg.init && !inits.has(seg.init.id)) {
          await writeWholeFile(join(args.out, mapUri!), seg.init.bytes);
          inits.add(seg.init.id);
        }
        let iv: Uint8Array | undefined;
        if (seg.streamedBytes !== undefined) {
          // Written already (MPEG-TS): the finished file takes its name.
          const f = await files.takeFinished();
          await rename(f.path, join(args.out, uri));
          iv = f.iv;
          outBytes += f.bytes;
        } else {
          iv = key ? randomSegmentIv() : undefined;
          let body = seg.bytes;
          if (key && iv) {
            const room = segmentBuffer(seg.bytes);
            body = room ? encryptSegmentInPlace(room, seg.bytes.byteLength, key, iv) : encryptSegment(seg.bytes, key, iv);
          }
          await writeWholeFile(join(args.out, uri), body);
          outBytes += body.byteLength;
        }
        entries.push({ uri, durationSeconds: seg.durationMs / 1000, discontinuity: seg.discontinuity, iv, ...(mapUri ? { mapUri } : {}) });
        seconds += seg.durationMs / 1000;
      },
    });
    for (const w of warnings) process.stderr.write(`camrec segment: warning: ${w}\n`);
    if (entries.length === 0) {
      process.stderr.write(
        `camrec segment: ${args.video}: no playable video found (no key frame with its parameter sets); is it an H.264 or H.265 Annex-B elementary stream?\n`,
      );
      return 1;
    }
    await writeFile(join(args.out, PLAYLIST_FILE), buildVodPlaylist(entries, { targetSeconds: args.segmentSeconds, keyUri: key ? KEY_FILE : undefined }));
    const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
    const mbPerS = inputBytes / 1e6 / Math.max(elapsedS, 1e-9);
    process.stdout.write(
      `camrec segment: ${entries.length} segments, ${seconds.toFixed(2)} s, ${outBytes} bytes, ${mbPerS.toFixed(1)} MB/s, ` +
        `${stats.inputErrors} input errors (${stats.droppedFrames} frames, ${stats.droppedBytes} bytes dropped); ` +
        `${videoCodec === 'h265' ? 'H.265' : 'H.264'} in ${container === 'fmp4' ? `fMP4 (${inits.size} init section${inits.size === 1 ? '' : 's'})` : 'MPEG-TS'}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof MediaError) {
      process.stderr.write(`camrec segment: ${args.video}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`camrec segment: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await files.close(); // writes in flight end; a segment file a failure left unnamed is removed
  }
}
