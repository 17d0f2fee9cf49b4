import { initKey, segmentKey, type SessionClaims } from '../../../contract/index.ts';
import { INIT_NAME_PATTERN, SEGMENT_NAME_PATTERN } from '../../playlist/playlist-entry.ts';
import { reaches, sessionReach } from '../../playlist/session-reach.ts';
import { NotFoundError } from '../../shared/playback-error.ts';
import { SEGMENT_PRESIGN_SECONDS, type ApiDeps } from '../api-deps.ts';

/**
 * The S3 object key for a segment name in a session (`{startMs}-{seq}.ts`, or `.m4s` for fMP4), checked
 * against the session's camera and reach (what its playlist can list, see sessionReach).
 * Gap placeholders and names outside the reach are 404s. The camera comes from the
 * signed token, never from the client.
 */
export function segmentObjectKeyFor(claims: SessionClaims, name: string, targetDurationSeconds: number, liveWindowSegments: number): string {
  const m = SEGMENT_NAME_PATTERN.exec(name);
  if (!m)
    throw new NotFoundError(
      'segment_not_found',
      `no segment ${JSON.stringify(name.slice(0, 60))}: names look like {startMs}-{seq}.ts or {startMs}-{seq}.m4s (gap entries have no media)`,
    );
  const startMs = Number(m[1]);
  const seq = Number(m[2]);
  if (!reaches(sessionReach(claims, { targetDurationSeconds, liveWindowSegments }), startMs))
    throw new NotFoundError('segment_not_found', `segment ${name} is outside this session's time range`);
  try {
    return segmentKey({ deviceId: claims.deviceId, startMs, seq, container: m[3] === 'm4s' ? 'fmp4' : 'ts' });
  } catch {
    throw new NotFoundError('segment_not_found', `no segment ${JSON.stringify(name)}`);
  }
}

/** A presigned GET, fresh at each request, so URLs in the playlist outlive role credentials. */
export async function segmentRedirect(deps: ApiDeps, claims: SessionClaims, name: string): Promise<string> {
  const key = segmentObjectKeyFor(claims, name, deps.config.targetDurationSeconds, deps.config.liveWindowSegments);
  return deps.presigner.presignGet(key, SEGMENT_PRESIGN_SECONDS);
}

/**
 * The S3 object key of an fMP4 init section (`{initId}.mp4`) of the session's camera: the
 * camera comes from the signed token, so a session reaches only its own camera's init
 * sections. An init section holds no pictures (codec configuration only) and is shared by
 * segments across the camera's whole history, so it is not limited to the session's range.
 */
export function initObjectKeyFor(claims: SessionClaims, name: string): string {
  const m = INIT_NAME_PATTERN.exec(name);
  if (!m) throw new NotFoundError('init_not_found', `no init section ${JSON.stringify(name.slice(0, 60))}: names look like {32 hex digits}.mp4`);
  return initKey({ deviceId: claims.deviceId, initId: m[1]! });
}

/** A presigned GET of an init section of the session's camera. */
export async function initRedirect(deps: ApiDeps, claims: SessionClaims, name: string): Promise<string> {
  return deps.presigner.presignGet(initObjectKeyFor(claims, name), SEGMENT_PRESIGN_SECONDS);
}
