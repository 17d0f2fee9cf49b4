import { createDecipheriv, createHash } from 'node:crypto';
import { CLIP_CONTENT_TYPE, ClipFile, clipObjectKey, ClipRequestSchema, type ClipError, type ClipManifest, type ClipRequest } from '../../contract/index.ts';
import { Mp4ClipWriter } from '../../media/clip/mp4-clip-writer.ts';
import { trimSegment } from '../../media/clip/trim-segment.ts';
import type { SegmentSamples } from '../../media/clip/segment-samples.ts';
import { MediaError } from '../../media/media-error.ts';
import type { DataKeyOpener } from '../keys/data-key-opener.ts';
import { clipReady } from '../notify/notifications.ts';
import type { NotificationPublisher } from '../notify/notification-publisher.ts';
import type { Clock } from '../shared/clock.ts';
import { noMetrics, silentLog, type Log, type MetricsSink } from '../shared/log.ts';
import { PlaybackError } from '../shared/playback-error.ts';
import type { ClipObjectStore } from '../storage/clip-object-store.ts';
import { ClipExportError } from './clip-export-error.ts';
import type { ClipSourceIndex, ClipSourceSegment } from './clip-sources.ts';
import { clipSegmentReaders } from './segment-readers.ts';

/** The MP4 layout clips are written in (the manifest names it). */
export const CLIP_LAYOUT = 'fragmented MP4: ftyp + moov (mvex, length in mvhd/mehd), then moof + mdat per source segment';

export interface ClipExportDeps {
  sources: ClipSourceIndex;
  objects: ClipObjectStore;
  openDataKey: DataKeyOpener;
  publisher: NotificationPublisher;
  clock: Clock;
  log?: Log;
  metrics?: MetricsSink;
}

export { ClipExportError };

export interface ClipExportReport {
  clipId: string;
  state: 'READY' | 'FAILED';
  segments: number;
  sizeBytes: number;
  error?: ClipError;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const sha256Base64 = (b: Uint8Array): string => createHash('sha256').update(b).digest('base64');

function decryptSegment(body: Uint8Array, key: Uint8Array, ivHex: string): Uint8Array {
  const d = createDecipheriv('aes-128-cbc', key, Buffer.from(ivHex, 'hex'));
  return Buffer.concat([d.update(body), d.final()]);
}

const sourceName = (s: ClipSourceSegment): string =>
  s.location.kind === 'hot' ? s.location.objectKey : `${s.location.objectKey}#bytes=${s.location.offset}-${s.location.offset + s.location.length - 1}`;

const pictureSize = (s: SegmentSamples): string => {
  const t = s.videoTrack();
  return `${t.codec === 'hevc' ? 'H.265' : 'H.264'} ${t.width}x${t.height}`;
};

/**
 * The camera's video configuration (resolution, codec or encoder parameter sets) changes
 * inside the range. The MP4 is written as it streams, `moov` first, so its one sample
 * description is fixed before the change is seen (a second one would need the whole range
 * read before the first byte is written). So the clip is refused, saying where the change
 * is and which two clips to ask for instead.
 */
function settingsChanged(req: ClipRequest, before: { startMs: number; endMs: number }, atMs: number, was: string, now: SegmentSamples): ClipExportError {
  return new ClipExportError(
    'video_settings_changed',
    `the camera's video settings change at ${iso(atMs)} (${was} before, ${pictureSize(now)} from there): one MP4 holds one video configuration. ` +
      `Ask for two clips: ${iso(req.startMs)} to ${iso(before.endMs)}, and ${iso(atMs)} to ${iso(req.endMs)}`,
  );
}

/**
 * Makes one clip: reads the range's segments from the index (a pack range or the hot
 * object, whichever the index holds), checks each against the SHA-256 the camera uploaded
 * it with, decrypts it with its data key (unwrapped as the key route does), reads it with
 * its container's adapter (MPEG-TS, or fMP4 with its init section), trims it to the range
 * (trimSegment: from the keyframe at or before the start to the last picture before the
 * end), remuxes it into the MP4 as it goes (Mp4ClipWriter) and streams the MP4 into a multipart upload while
 * hashing it; then writes the manifest (the clip is READY from then on) and publishes
 * "Clip Ready". Memory: two segments and two upload parts, whatever the range.
 *
 * Any failure writes error.json instead (code and message for the client) and aborts the
 * upload, so a clip is READY with its whole MP4 or FAILED, never half. A refusal (no
 * recording, media it cannot read) resolves FAILED; an unexpected failure also throws,
 * so the asynchronous invoke is retried, and a later success (manifest) wins.
 */
export function createClipExporter(deps: ClipExportDeps): (request: ClipRequest) => Promise<ClipExportReport> {
  const log = deps.log ?? silentLog;
  const metrics = deps.metrics ?? noMetrics;

  async function make(req: ClipRequest): Promise<{ manifest: ClipManifest }> {
    const segments = await deps.sources.segments(req.deviceId, req.startMs, req.endMs);
    if (!segments.length)
      throw new ClipExportError(
        'no_recording',
        `camera ${req.deviceId} recorded nothing between ${iso(req.startMs)} and ${iso(req.endMs)} (or it has expired): choose a range the timeline shows as recorded`,
      );
    const last = segments[segments.length - 1]!;
    // Made on the first segment read: the clip's time 0 is the keyframe at or before the start asked for.
    let writer: Mp4ClipWriter | undefined;
    const expectedEnd = Math.min(req.endMs, last.startMs + last.durationMs);
    let covered: { startMs: number; endMs: number } | undefined;
    let firstConfig: { key: string; size: string } | undefined;
    const mp4Key = clipObjectKey(req.deviceId, req.clipId, ClipFile.MP4);
    const upload = await deps.objects.startUpload(mp4Key, CLIP_CONTENT_TYPE);
    const hash = createHash('sha256');
    const listed: ClipManifest['segments'] = [];
    const readers = clipSegmentReaders(req.deviceId, (key) => deps.objects.readSource(key));
    let codecs = '';
    try {
      const write = async (chunks: Uint8Array[]) => {
        for (const c of chunks) {
          hash.update(c);
          await upload.write(c);
        }
      };
      for (const s of segments) {
        const read = await readers.readerFor(s);
        const body = await deps.objects.readSource(
          s.location.objectKey,
          s.location.kind === 'pack' ? { offset: s.location.offset, length: s.location.length } : undefined,
        );
        if (!body)
          throw new ClipExportError(
            'source_missing',
            `the segment at ${iso(s.startMs)} (${sourceName(s)}) is gone (expired or deleted while the clip was made): choose a range still kept`,
          );
        const sum = sha256Base64(body);
        if (s.checksumSha256 !== undefined && s.checksumSha256 !== sum) {
          throw new ClipExportError(
            'source_changed',
            `the segment at ${iso(s.startMs)} (${sourceName(s)}) does not have the SHA-256 the camera uploaded it with: the clip is not made`,
          );
        }
        const key = await deps.openDataKey(req.deviceId, s.keyId);
        let samples;
        try {
          samples = read(decryptSegment(body, key, s.iv));
        } catch (err) {
          throw new ClipExportError('unreadable_segment', `the segment at ${iso(s.startMs)} cannot be read: ${(err as Error).message}`, { cause: err });
        }
        const trimmed = trimSegment(samples, s, req);
        if (trimmed) {
          if (covered && samples.videoConfigKey !== firstConfig!.key) throw settingsChanged(req, covered, trimmed.startMs, firstConfig!.size, samples);
          firstConfig ??= { key: samples.videoConfigKey, size: pictureSize(samples) };
          writer ??= new Mp4ClipWriter({ startMs: trimmed.startMs, durationMs: Math.max(0, expectedEnd - trimmed.startMs) });
          covered = { startMs: covered?.startMs ?? trimmed.startMs, endMs: trimmed.endMs };
          await write(writer.push(trimmed.samples, { startMs: trimmed.startMs, discSeq: s.discSeq }));
        }
        codecs ||= `${samples.videoTrack().codecString}${samples.audioConfig ? `,mp4a.40.${samples.audioConfig.audioObjectType}` : ''}`;
        listed.push({
          startMs: s.startMs,
          durationMs: s.durationMs,
          seq: s.seq,
          discSeq: s.discSeq,
          source: sourceName(s),
          sha256: sum,
          recorded: s.checksumSha256 !== undefined,
        });
      }
      if (!writer || !covered)
        throw new ClipExportError(
          'no_recording',
          `camera ${req.deviceId} shows no picture between ${iso(req.startMs)} and ${iso(req.endMs)}: choose a longer range`,
        );
      await write(writer.finish());
    } catch (err) {
      await upload
        .abort()
        .catch((e: unknown) => log.warn('aborting the clip upload failed (the lifecycle rule removes it within a day)', { error: (e as Error).message }));
      if (err instanceof MediaError) throw new ClipExportError('unsupported_stream', err.message, { cause: err });
      throw err;
    }
    const { sizeBytes } = await upload.complete();
    const stats = writer!.stats();
    const { startMs: coveredStart, endMs: coveredEnd } = covered!;
    if (stats.problems.length) log.warn('clip made with input problems skipped', { clipId: req.clipId, problems: stats.problems.slice(0, 20) });
    const manifest: ClipManifest = {
      version: 1,
      deviceId: req.deviceId,
      clipId: req.clipId,
      requested: { start: iso(req.startMs), end: iso(req.endMs) },
      covered: { start: iso(coveredStart), end: iso(coveredEnd), startMs: coveredStart, endMs: coveredEnd },
      clip: {
        objectKey: mp4Key,
        contentType: CLIP_CONTENT_TYPE,
        sizeBytes,
        sha256: hash.digest('base64'),
        layout: CLIP_LAYOUT,
        codecs,
        durationMs: coveredEnd - coveredStart,
        discontinuities: stats.discontinuities,
      },
      segments: listed,
      ...(readers.inits().length ? { inits: readers.inits() } : {}),
      createdMs: req.createdMs,
      readyMs: deps.clock.nowMs(),
    };
    await deps.objects.putJson(clipObjectKey(req.deviceId, req.clipId, ClipFile.MANIFEST), manifest);
    return { manifest };
  }

  return async (request) => {
    const req = ClipRequestSchema.parse(request);
    const t0 = performance.now();
    try {
      const { manifest } = await make(req);
      metrics.count('ClipsReady');
      metrics.millis('ClipExportMs', performance.now() - t0);
      await deps.publisher.publish([
        clipReady({
          deviceId: req.deviceId,
          clipId: req.clipId,
          startMs: manifest.covered.startMs,
          endMs: manifest.covered.endMs,
          objectKey: manifest.clip.objectKey,
          sizeBytes: manifest.clip.sizeBytes,
          sha256: manifest.clip.sha256,
          contentType: CLIP_CONTENT_TYPE,
        }),
      ]);
      return { clipId: req.clipId, state: 'READY', segments: manifest.segments.length, sizeBytes: manifest.clip.sizeBytes };
    } catch (err) {
      const known = err instanceof ClipExportError || err instanceof PlaybackError;
      const error: ClipError = {
        version: 1,
        code: known ? (err as ClipExportError | PlaybackError).code : 'internal',
        message: known ? (err as Error).message : 'the export failed on our side: try again, and report it if it keeps failing',
        failedMs: deps.clock.nowMs(),
      };
      if (!known) log.error('clip export failed', { clipId: req.clipId, deviceId: req.deviceId, error: (err as Error).message, stack: (err as Error).stack });
      else log.warn('clip export refused', { clipId: req.clipId, deviceId: req.deviceId, code: error.code, message: error.message });
      metrics.count('ClipsFailed');
      await deps.objects.putJson(clipObjectKey(req.deviceId, req.clipId, ClipFile.ERROR), error);
      // Ours, not the request's: throw, so an asynchronous invoke is retried (a later success's manifest wins over error.json).
      if (!known) throw err;
      return { clipId: req.clipId, state: 'FAILED', segments: 0, sizeBytes: 0, error };
    }
  };
}
