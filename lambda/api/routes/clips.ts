import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  assertClipId,
  cameraClipsPrefix,
  ClipErrorSchema,
  ClipFile,
  clipObjectKey,
  ClipManifestSchema,
  ClipRequestSchema,
  ClipState,
  MAX_CLIP_RANGE_MS,
  padMs,
  parseClipObjectKey,
  type ClipRequest,
} from '../../../contract/index.ts';
import type { ClipExportStarter } from '../../clips/export-starter.ts';
import { BadRequestError, NotFoundError } from '../../shared/playback-error.ts';
import { parseIsoMs } from '../../shared/request-input.ts';
import type { ClipObjectStore } from '../../storage/clip-object-store.ts';
import type { Clock } from '../../shared/clock.ts';

/** Lifetime of a clip's presigned download URL. */
export const CLIP_DOWNLOAD_SECONDS = 900;
const MAX_BODY_CHARS = 1024;
const LIST_PAGE_CLIPS = 50;
/** A clip may not end further in the future than this (clock skew between the caller and us). */
const FUTURE_SLACK_MS = 60_000;

export interface ClipRouteDeps {
  objects: ClipObjectStore;
  startExport: ClipExportStarter;
  clock: Clock;
}

const ClipBody = z.strictObject({ start: z.string(), end: z.string() });

export interface ClipAnswer {
  clipId: string;
  camera: string;
  state: ClipState;
  start: string;
  end: string;
  createdAt: string;
  /** READY: a GET presigned for CLIP_DOWNLOAD_SECONDS, and when it stops working. */
  downloadUrl?: string;
  downloadExpiresAt?: string;
  sizeBytes?: number;
  sha256?: string;
  /**
   * READY: what the MP4 covers (ISO 8601): from the keyframe at or before `start` to the end
   * of the last picture before `end` (shorter where nothing was recorded), and its length.
   */
  covered?: { start: string; end: string; durationMs: number };
  /** READY: the manifest (camera, range, SHA-256 of every source segment). */
  manifest?: unknown;
  /** FAILED: why. */
  error?: { code: string; message: string };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Reads and checks the POST body; every problem is a 400 that names the field and the fix. */
export function parseClipBody(body: string | undefined, nowMs: number): { startMs: number; endMs: number } {
  if (!body) throw new BadRequestError('bad_body', 'the body must be JSON like {"start":"2026-12-01T10:00:00Z","end":"2026-12-01T10:05:00Z"}');
  if (body.length > MAX_BODY_CHARS) throw new BadRequestError('bad_body', `the body is over ${MAX_BODY_CHARS} characters`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new BadRequestError('bad_body', 'the body is not valid JSON');
  }
  const parsed = ClipBody.safeParse(json);
  if (!parsed.success) {
    throw new BadRequestError(
      'bad_body',
      `bad clip request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')} (send start and end as ISO 8601 times, nothing else)`,
    );
  }
  const startMs = parseIsoMs('start', parsed.data.start);
  const endMs = parseIsoMs('end', parsed.data.end);
  if (endMs <= startMs) throw new BadRequestError('bad_range', 'end must be after start');
  if (endMs - startMs > MAX_CLIP_RANGE_MS) {
    throw new BadRequestError(
      'range_too_long',
      `a clip covers at most ${MAX_CLIP_RANGE_MS / 60_000} minutes; this range is ${Math.ceil((endMs - startMs) / 60_000)} minutes: split it into several clips`,
    );
  }
  if (startMs > nowMs + FUTURE_SLACK_MS) throw new BadRequestError('bad_range', 'start is in the future: a clip is made of what was recorded');
  return { startMs, endMs };
}

export async function createClip(deps: ClipRouteDeps, deviceId: string, body: string | undefined): Promise<ClipAnswer> {
  const nowMs = deps.clock.nowMs();
  const { startMs, endMs } = parseClipBody(body, nowMs);
  const request: ClipRequest = { version: 1, deviceId, clipId: `${padMs(nowMs)}-${randomBytes(4).toString('hex')}`, startMs, endMs, createdMs: nowMs };
  await deps.objects.putJson(clipObjectKey(deviceId, request.clipId, ClipFile.REQUEST), request);
  await deps.startExport(request);
  return { clipId: request.clipId, camera: deviceId, state: ClipState.EXPORTING, start: iso(startMs), end: iso(endMs), createdAt: iso(nowMs) };
}

function clipIdFromPath(raw: string): string {
  try {
    return assertClipId(raw);
  } catch (err) {
    throw new NotFoundError('clip_not_found', (err as Error).message);
  }
}

/** A clip's state from its files: manifest = READY, error = FAILED, request only = EXPORTING. */
async function describe(
  deps: ClipRouteDeps,
  deviceId: string,
  clipId: string,
  files: ReadonlySet<string> | undefined,
  withDownload: boolean,
): Promise<ClipAnswer | undefined> {
  const has = (f: string) => files === undefined || files.has(f);
  const raw = has(ClipFile.REQUEST) ? await deps.objects.getJson(clipObjectKey(deviceId, clipId, ClipFile.REQUEST)) : undefined;
  const request = ClipRequestSchema.safeParse(raw);
  if (!request.success) return undefined;
  const r = request.data;
  const base: ClipAnswer = { clipId, camera: deviceId, state: ClipState.EXPORTING, start: iso(r.startMs), end: iso(r.endMs), createdAt: iso(r.createdMs) };
  if (has(ClipFile.MANIFEST)) {
    const m = ClipManifestSchema.safeParse(await deps.objects.getJson(clipObjectKey(deviceId, clipId, ClipFile.MANIFEST)));
    if (m.success) {
      const answer: ClipAnswer = {
        ...base,
        state: ClipState.READY,
        covered: { start: m.data.covered.start, end: m.data.covered.end, durationMs: m.data.clip.durationMs },
        sizeBytes: m.data.clip.sizeBytes,
        sha256: m.data.clip.sha256,
      };
      if (withDownload) {
        answer.downloadUrl = await deps.objects.presignDownload(
          m.data.clip.objectKey,
          CLIP_DOWNLOAD_SECONDS,
          `${deviceId}-${m.data.covered.start.replace(/[:.]/g, '')}.mp4`,
        );
        answer.downloadExpiresAt = iso(deps.clock.nowMs() + CLIP_DOWNLOAD_SECONDS * 1000);
        answer.manifest = m.data;
      }
      return answer;
    }
  }
  if (has(ClipFile.ERROR)) {
    const e = ClipErrorSchema.safeParse(await deps.objects.getJson(clipObjectKey(deviceId, clipId, ClipFile.ERROR)));
    if (e.success) return { ...base, state: ClipState.FAILED, error: { code: e.data.code, message: e.data.message } };
  }
  return base;
}

export async function getClip(deps: ClipRouteDeps, deviceId: string, rawClipId: string): Promise<ClipAnswer> {
  const clipId = clipIdFromPath(rawClipId);
  const answer = await describe(deps, deviceId, clipId, undefined, true);
  if (!answer) throw new NotFoundError('clip_not_found', `camera ${deviceId} has no clip ${clipId} (deleted, or made for another camera)`);
  return answer;
}

/** The camera's clips in the order they were asked for, LIST_PAGE_CLIPS a page; `after` continues from the last clip id of a page. */
export async function listClips(
  deps: ClipRouteDeps,
  deviceId: string,
  query: Record<string, string | undefined>,
): Promise<{ clips: ClipAnswer[]; nextAfter?: string }> {
  const after = query.after;
  if (after !== undefined) clipIdFromPath(after);
  const prefix = cameraClipsPrefix(deviceId);
  const files = new Map<string, Set<string>>();
  let startAfter = after ? `${prefix}${after}/~` : undefined;
  let truncated = true;
  // Each clip is at most 4 objects: read until a page of clips is complete.
  while (truncated && files.size <= LIST_PAGE_CLIPS) {
    const page = await deps.objects.list(prefix, 1000, startAfter);
    for (const key of page.keys) {
      const p = parseClipObjectKey(deviceId, key);
      if (!p) continue;
      let set = files.get(p.clipId);
      if (!set) files.set(p.clipId, (set = new Set()));
      set.add(p.file);
    }
    truncated = page.truncated;
    startAfter = page.keys[page.keys.length - 1];
    if (!startAfter) break;
  }
  const ids = [...files.keys()].sort().slice(0, LIST_PAGE_CLIPS);
  const clips = (await Promise.all(ids.map((id) => describe(deps, deviceId, id, files.get(id), false)))).filter((c): c is ClipAnswer => c !== undefined);
  const more = files.size > LIST_PAGE_CLIPS || truncated;
  return { clips, ...(more && ids.length ? { nextAfter: ids[ids.length - 1]! } : {}) };
}

export async function deleteClip(deps: ClipRouteDeps, deviceId: string, rawClipId: string): Promise<void> {
  const clipId = clipIdFromPath(rawClipId);
  const { keys } = await deps.objects.list(`${cameraClipsPrefix(deviceId)}${clipId}/`, 10);
  if (!keys.length) throw new NotFoundError('clip_not_found', `camera ${deviceId} has no clip ${clipId}`);
  await deps.objects.deleteObjects(keys);
}
