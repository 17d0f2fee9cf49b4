import { z } from 'zod';
import { SessionLifetime, SessionMode, signSessionToken, type SessionClaims } from '../../../contract/index.ts';
import { MAX_PLAYLIST_RANGE_MS } from '../../playlist/build-session-playlist.ts';
import { BadRequestError } from '../../shared/playback-error.ts';
import { parseIsoMs } from '../../shared/request-input.ts';
import type { ApiDeps } from '../api-deps.ts';

const MAX_BODY_CHARS = 4096;

const SessionRequest = z
  .object({
    mode: z.enum([SessionMode.LIVE, SessionMode.LIVE_REPLAY, SessionMode.ON_DEMAND]),
    start: z.string().optional(),
    end: z.string().optional(),
    expiresInSeconds: z.number().int().min(SessionLifetime.MIN_SECONDS).max(SessionLifetime.MAX_SECONDS).optional(),
  })
  .strict();

export interface SessionAnswer {
  playlistUrl: string;
  /** ISO 8601. */
  expiresAt: string;
  /**
   * What the session starts with (LIVE: the newest segment; otherwise the first from
   * `start`), so a player can tell before it loads whether it can play it: RFC 6381 codecs
   * (as an EXT-X-STREAM-INF CODECS attribute would carry them, e.g. `hvc1.1.6.L93.B0` for
   * H.265, `avc1.64001f,mp4a.40.2`), the picture size and the segment container (`ts`, or
   * `fmp4` with EXT-X-MAP). Absent when the camera has no segment there yet (or only packed
   * history whose segment items expired).
   */
  codecs?: string;
  resolution?: { width: number; height: number };
  container?: 'ts' | 'fmp4';
}

/** Reads and checks a POST body; every problem is a 400 naming the field. */
export function parseSessionRequest(deviceId: string, body: string | undefined, nowMs: number): SessionClaims {
  if (body === undefined || body === '') throw new BadRequestError('bad_body', 'the body must be JSON like {"mode":"LIVE"}');
  if (body.length > MAX_BODY_CHARS) throw new BadRequestError('bad_body', `the body is over ${MAX_BODY_CHARS} characters`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new BadRequestError('bad_body', 'the body is not valid JSON');
  }
  const parsed = SessionRequest.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new BadRequestError(
      'bad_body',
      `bad session request: ${problems} (mode is LIVE, LIVE_REPLAY or ON_DEMAND; expiresInSeconds ${SessionLifetime.MIN_SECONDS}..${SessionLifetime.MAX_SECONDS})`,
    );
  }
  const req = parsed.data;
  const startMs = req.start !== undefined ? parseIsoMs('start', req.start) : undefined;
  const endMs = req.end !== undefined ? parseIsoMs('end', req.end) : undefined;
  if (req.mode === SessionMode.LIVE && (startMs !== undefined || endMs !== undefined))
    throw new BadRequestError('bad_range', 'a LIVE session takes no start or end: use LIVE_REPLAY or ON_DEMAND for a point in time');
  if (req.mode !== SessionMode.LIVE && startMs === undefined) throw new BadRequestError('bad_range', `a ${req.mode} session needs a start`);
  if (req.mode === SessionMode.ON_DEMAND && endMs === undefined) throw new BadRequestError('bad_range', 'an ON_DEMAND session needs an end');
  if (startMs !== undefined && endMs !== undefined) {
    if (endMs <= startMs) throw new BadRequestError('bad_range', 'end must be after start');
    if (endMs - startMs > MAX_PLAYLIST_RANGE_MS) throw new BadRequestError('bad_range', 'a range may span at most 24 h: split it into several sessions');
  }
  const issuedAtSeconds = Math.floor(nowMs / 1000);
  const claims: SessionClaims = {
    deviceId,
    mode: req.mode,
    issuedAtSeconds,
    expiresAtSeconds: issuedAtSeconds + (req.expiresInSeconds ?? SessionLifetime.DEFAULT_SECONDS),
  };
  if (startMs !== undefined) claims.startMs = startMs;
  if (endMs !== undefined) claims.endMs = endMs;
  return claims;
}

export async function createSession(deps: ApiDeps, deviceId: string, body: string | undefined, baseUrl: string): Promise<SessionAnswer> {
  const claims = parseSessionRequest(deviceId, body, deps.clock.nowMs());
  const [secret, format] = await Promise.all([
    deps.tokenSecrets.signing(),
    deps.index.segmentFormat(deviceId, claims.mode === SessionMode.LIVE ? undefined : claims.startMs),
  ]);
  const token = signSessionToken(claims, secret);
  const answer: SessionAnswer = {
    playlistUrl: `${baseUrl}/v1/sessions/${token}/playlist.m3u8`,
    expiresAt: new Date(claims.expiresAtSeconds * 1000).toISOString(),
  };
  if (format) {
    answer.codecs = format.codecs;
    answer.resolution = { width: format.width, height: format.height };
    answer.container = format.container;
  }
  return answer;
}
