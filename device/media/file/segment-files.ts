import { open, type FileHandle } from 'node:fs/promises';
import { LiveSegmenter } from '../live-segmenter.ts';
import { ReadBufferPool } from './read-buffer-pool.ts';
import type { MediaInputError } from '../../../media/media-error.ts';
import type { ContainerKind } from '../container/segment-container.ts';
import type { MediaSegment, SegmenterStats } from '../media-segment.ts';
import type { SegmentStream } from '../../../media/ts/segment-stream.ts';

const VIDEO_CHUNK_BYTES = 1024 * 1024;
const AUDIO_CHUNK_BYTES = 16 * 1024;
/**
 * Read buffers kept for reuse. MPEG-TS copies each picture into the segment at once, so
 * 3 or 4 are in use (the chunk being muxed, the one being read, frames spanning chunks);
 * fMP4 keeps the open segment's pictures as views until it ends, so a segment's worth
 * (a 6 s segment at 26 Mbit/s: ~20) is.
 */
const MAX_POOLED_READ_BUFFERS = 48;

export interface SegmentFilesOptions {
  videoPath: string;
  audioPath?: string;
  segmentSeconds?: number;
  /** @default `ts` for H.264, `fmp4` for H.265 (told from the stream) */
  container?: ContainerKind;
  /** Overrides the SPS frame rate. */
  fps?: number;
  /** UTC ms given to the first frame. @default Date.now() */
  epochMs?: number;
  /**
   * Receives each segment in order; awaited before the next segment is handed over, and
   * (unless overlapReceiver) before more input is read (so memory stays ~2 segments).
   */
  onSegment: (seg: MediaSegment) => Promise<void> | void;
  /**
   * The receiver is done with `seg.bytes` once its onSegment has returned (or its promise
   * resolved): their memory is reused for later segments. No more input is read until then
   * (unless overlapReceiver), so the file is segmented in one segment buffer (plus the
   * muxer's bridge of at most 4 MB) whatever its size. Leave false to keep segments.
   * @default false
   */
  recycleSegments?: boolean;
  /**
   * With recycleSegments: the muxer goes on with the next segment while the receiver still
   * holds this one (its write runs on libuv's thread pool beside the muxing), in a second
   * segment buffer; the two take turns. One segment buffer more, for speed: `camrec segment`
   * on the 121.5 MB bench input, 9 runs each interleaved: whole process median 0.94 -> 0.85 s,
   * peak RSS 86 -> 106 MB.
   * @default false
   */
  overlapReceiver?: boolean;
  onInputError?: (err: MediaInputError) => void;
  /**
   * MPEG-TS segments go out in parts as they are muxed (SegmenterOptions.streamSegments):
   * onSegment() then gets each with empty `bytes` and `streamedBytes` set, after its last
   * part. fMP4 segments still come whole.
   */
  streamSegments?: SegmentStream;
}

export interface SegmentFilesResult {
  stats: SegmenterStats;
  inputBytes: number;
  /** The video codec of the last segment (undefined when no segment was made). */
  videoCodec?: 'h264' | 'h265';
}

/**
 * `camrec segment`'s engine: reads an Annex-B file (H.264 or H.265, and an ADTS file) in chunks through
 * the same LiveSegmenter the agent uses, with frames timed by frame rate. Video is read
 * 1 MB at a time and audio only as far as the video needs it.
 */
export async function segmentFiles(o: SegmentFilesOptions): Promise<SegmentFilesResult> {
  const ready: MediaSegment[] = [];
  let videoCodec: MediaSegment['videoCodec'] | undefined;
  const seg = new LiveSegmenter({
    targetSegmentSeconds: o.segmentSeconds,
    ...(o.container ? { container: o.container } : {}),
    audio: o.audioPath !== undefined,
    videoTiming: { kind: 'frame-rate', fps: o.fps, epochMs: o.epochMs ?? Date.now() },
    onSegment: (s) => {
      videoCodec = s.videoCodec;
      ready.push(s);
    },
    onInputError: o.onInputError,
    ...(o.streamSegments ? { streamSegments: o.streamSegments } : {}),
  });
  const video = await open(o.videoPath, 'r');
  let audio: FileHandle | undefined;
  let inputBytes = 0;
  let inputVideoBytes = 0;
  const readPool = new ReadBufferPool(VIDEO_CHUNK_BYTES, MAX_POOLED_READ_BUFFERS);
  // Without recycleSegments, one segment may be in the receiver's hands (being encrypted/written)
  // while the next one is built: at most about two segments in memory. With it, one segment
  // buffer and the muxer's bridge (see drain); with overlapReceiver too, two in turns.
  let inFlight: Promise<void> = Promise.resolve();
  try {
    audio = o.audioPath !== undefined ? await open(o.audioPath, 'r') : undefined;
    let audioDone = audio === undefined;
    const drain = async (): Promise<void> => {
      while (ready.length) {
        await inFlight;
        const s = ready.shift()!;
        inFlight = Promise.resolve(o.onSegment(s));
        if (o.recycleSegments) inFlight = inFlight.then(() => seg.recycle(s.bytes));
        inFlight.catch(() => {}); // awaited (and rethrown) before the next segment or at the end
        // Recycling: no more input until the receiver is done and the buffer is back, so the
        // next segment (begun in the muxer's small bridge buffer) moves into it instead of
        // into fresh memory. Measured: the receiver's write of a 19 MB segment ran until the
        // next segment held 7-16 MB; without this wait every run took a second segment buffer.
        if (o.recycleSegments && !o.overlapReceiver) await inFlight;
      }
    };
    const feedAudio = async (): Promise<void> => {
      while (!audioDone && seg.wantsAudio()) {
        const buf = Buffer.allocUnsafe(AUDIO_CHUNK_BYTES);
        const { bytesRead } = await audio!.read(buf, 0, AUDIO_CHUNK_BYTES, null);
        if (bytesRead === 0) {
          audioDone = true;
          seg.endAudio();
        } else {
          inputBytes += bytesRead;
          seg.pushAudio(buf.subarray(0, bytesRead));
        }
        await drain();
      }
    };
    // The next chunk is read while this one is muxed. The segmenter keeps views of a
    // chunk until its frames are muxed, so a read buffer is reused only once everything
    // in it lies before videoHeldFrom(); otherwise a fresh one is allocated.
    const readVideo = async (): Promise<Uint8Array> => {
      const buf = readPool.take(seg.videoHeldFrom(), inputVideoBytes);
      const { bytesRead } = await video.read(buf, 0, VIDEO_CHUNK_BYTES, null);
      readPool.filled(buf, inputVideoBytes, inputVideoBytes + bytesRead);
      inputVideoBytes += bytesRead;
      return buf.subarray(0, bytesRead);
    };
    let next = readVideo();
    for (;;) {
      const chunk = await next;
      if (chunk.byteLength === 0) break;
      next = readVideo();
      inputBytes += chunk.byteLength;
      seg.pushVideo(chunk);
      await drain();
      await feedAudio();
    }
    // Drain the rest of the audio that still lines up with video, then finish.
    await feedAudio();
    seg.end();
    await drain();
    await inFlight;
  } catch (err) {
    // The receiver's segment in hand finishes first: nothing of this run happens after it failed.
    await inFlight.catch(() => {});
    throw err;
  } finally {
    await video.close();
    await audio?.close();
  }
  return { stats: seg.stats(), inputBytes, ...(videoCodec ? { videoCodec } : {}) };
}
