// The player's calls to the playback API (SigV4-signed IAM routes) and to local mode's
// own routes. `config` is {apiUrl, region, credentials, cameras, local}.
import { signHeaders } from './sigv4-browser.js';

/** A signed call to an IAM route; throws with the API's message. */
export async function api(config, method, path, body) {
  const { apiUrl, region, credentials } = config;
  const url = `${apiUrl}${path}`;
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = await signHeaders({ method, url, body: text, creds: credentials, region });
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : text });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json?.error?.message ?? json?.message ?? `${method} ${path}: HTTP ${res.status}`);
  return json;
}

/** POST /v1/cameras/{id}/sessions: a playlist URL for LIVE, or from a moment. */
export const createSession = (config, id, body) => api(config, 'POST', `/v1/cameras/${encodeURIComponent(id)}/sessions`, body);

/** GET /v1/cameras/{id}/status: recording / idle / offline / privacy / unknown, and the newest event. */
export const cameraStatus = (config, id) => api(config, 'GET', `/v1/cameras/${encodeURIComponent(id)}/status`);

/** Local mode only: starts an event on a camera's agent. */
export async function triggerLocalEvent(id, type, seconds) {
  const res = await fetch(`/local/cameras/${encodeURIComponent(id)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type, seconds }),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json?.error?.message ?? `HTTP ${res.status}`);
  return json;
}

/** Local mode only: unplugs or plugs in a camera. */
export async function setLocalCameraPower(id, on) {
  const res = await fetch(`/local/cameras/${encodeURIComponent(id)}/power`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ on }),
  });
  if (!res.ok) throw new Error(`power: HTTP ${res.status}`);
}

/** Local mode only: notifications after sequence number `after`. */
export async function localNotifications(after) {
  const res = await fetch(`/local/notifications?after=${after}`, { cache: 'no-store' });
  if (!res.ok) return { notifications: [], last: after };
  return res.json();
}

/**
 * How far a LIVE playlist lets a player start behind live: RFC 8216 6.3.3 says a client
 * SHOULD NOT start less than three target durations from the end of the playlist, so
 * that segments landing a little late (an upload on a slow link, a busy camera) do not
 * stall it. `{ segments, mediaSeconds, startSeconds }`: startSeconds is 3 x
 * EXT-X-TARGETDURATION.
 */
export const LIVE_START_TARGET_DURATIONS = 3;
export async function liveStartReadiness(playlistUrl) {
  const res = await fetch(playlistUrl, { cache: 'no-store' });
  if (!res.ok) return { segments: 0, mediaSeconds: 0, startSeconds: Infinity };
  const text = await res.text();
  const target = Number(/^#EXT-X-TARGETDURATION:(\d+)/m.exec(text)?.[1] ?? NaN);
  const extinf = [...text.matchAll(/^#EXTINF:([\d.]+)/gm)].map((m) => Number(m[1]));
  return { segments: extinf.length, mediaSeconds: extinf.reduce((a, b) => a + b, 0), startSeconds: LIVE_START_TARGET_DURATIONS * target };
}

/** A LIVE playlist with at least one segment yet? */
export async function hasSegments(playlistUrl) {
  return (await liveStartReadiness(playlistUrl)).segments > 0;
}

/** POST /v1/cameras/{id}/clips: starts exporting [start, end) as one MP4 (at most 1 h). */
export const createClip = (config, id, startMs, endMs) =>
  api(config, 'POST', `/v1/cameras/${encodeURIComponent(id)}/clips`, { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() });

/** GET /v1/cameras/{id}/clips/{clipId}: EXPORTING, READY (with downloadUrl) or FAILED (with error). */
export const getClip = (config, id, clipId) => api(config, 'GET', `/v1/cameras/${encodeURIComponent(id)}/clips/${encodeURIComponent(clipId)}`);
