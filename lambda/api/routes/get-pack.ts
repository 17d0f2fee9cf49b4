import { ContractError, packObjectKey, parsePackName, type PackedSegment, type SessionClaims } from '../../../contract/index.ts';
import { NotFoundError, PlaybackError } from '../../shared/playback-error.ts';
import { reaches, sessionReach } from '../../playlist/session-reach.ts';
import { SEGMENT_PRESIGN_SECONDS, type ApiDeps } from '../api-deps.ts';

/** Decoded packs kept per warm function (packs never change once indexed). */
const PACK_CACHE_ENTRIES = 64;
/** `bytes=first-last`: one closed range, what players send for an EXT-X-BYTERANGE. */
const RANGE_RE = /^bytes=(\d{1,15})-(\d{1,15})$/;

/** The byte range a request asks for; refuses anything but one closed range. */
export function requestedRange(header: string | undefined): { first: number; last: number } {
  if (header === undefined) {
    throw new PlaybackError(
      416,
      'range_required',
      'a pack holds many segments: request the EXT-X-BYTERANGE of one segment with a Range header (bytes=first-last); players that support EXT-X-BYTERANGE do this themselves',
      { headers: { 'accept-ranges': 'bytes' } },
    );
  }
  const m = RANGE_RE.exec(header.trim());
  if (!m || Number(m[2]) < Number(m[1]))
    throw new PlaybackError(416, 'bad_range_header', `Range ${JSON.stringify(header.slice(0, 60))} is not one closed byte range (bytes=first-last)`, {
      headers: { 'accept-ranges': 'bytes' },
    });
  return { first: Number(m[1]), last: Number(m[2]) };
}

/**
 * GET /v1/sessions/{token}/packs/{name} with `Range: bytes=first-last`: a 302 to a GET of
 * the pack presigned for exactly that range (the Range header is signed, so the URL fetches
 * nothing else; the player sends the same Range when it follows the redirect). The range
 * must lie within segments the session may fetch (sessionReach), checked against the
 * pack's index item: a session reaches the same footage through packs as through hot
 * segment URLs.
 */
export function createPackRoute(deps: ApiDeps, packPeriodMs: number) {
  const cache = new Map<string, readonly PackedSegment[] | null>();

  async function segmentsOf(deviceId: string, hourMs: number, packNo: number, digest: string): Promise<readonly PackedSegment[] | undefined> {
    const id = `${deviceId}/${hourMs}/${packNo}/${digest}`;
    let hit = cache.get(id);
    if (hit === undefined) {
      const pack = await deps.index.getPack(deviceId, hourMs, packNo);
      hit = pack && pack.digest === digest ? pack.segments : null;
      if (hit) {
        cache.set(id, hit);
        if (cache.size > PACK_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      }
    }
    return hit ?? undefined;
  }

  return async function packRedirect(claims: SessionClaims, name: string, rangeHeader: string | undefined): Promise<string> {
    let ref;
    try {
      ref = parsePackName(name);
    } catch (e) {
      if (e instanceof ContractError) throw new NotFoundError('pack_not_found', e.message);
      throw e;
    }
    const reach = sessionReach(claims, deps.config);
    if (ref.hourMs >= reach.toMs || ref.hourMs + packPeriodMs <= reach.fromMs)
      throw new NotFoundError('pack_not_found', `pack ${name} is outside this session's time range`);
    const { first, last } = requestedRange(rangeHeader);
    const segments = await segmentsOf(claims.deviceId, ref.hourMs, ref.packNo, ref.digest);
    if (!segments) throw new NotFoundError('pack_not_found', `no pack ${name} for this session's camera`);
    const touched = segments.filter((s) => s.offset <= last && s.offset + s.length > first);
    const end = segments.length ? segments[segments.length - 1]!.offset + segments[segments.length - 1]!.length : 0;
    if (last >= end || touched.length === 0)
      throw new PlaybackError(416, 'bad_range_header', `Range bytes=${first}-${last} is beyond pack ${name} (${end} bytes)`);
    if (touched.some((s) => !reaches(reach, s.startMs)))
      throw new NotFoundError('segment_not_found', `Range bytes=${first}-${last} of pack ${name} holds footage outside this session's time range`);
    return deps.presigner.presignGet(packObjectKey(claims.deviceId, ref), SEGMENT_PRESIGN_SECONDS, `bytes=${first}-${last}`);
  };
}
