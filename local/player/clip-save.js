// "Save clip": exports a range of the camera as one MP4 through the clip routes, shows
// progress while it is made, then hands the browser the download.
import { createClip, getClip } from './api-client.js';

const MAX_CLIP_MS = 3_600_000;
/** Seconds of footage kept before and after an event's own range. */
const EVENT_MARGIN_MS = 2000;

/** The range a clip of an event covers: the event with a margin, at most an hour. */
export function eventClipRange(e) {
  const startMs = e.startMs - EVENT_MARGIN_MS;
  return { startMs, endMs: Math.min(e.endMs + EVENT_MARGIN_MS, startMs + MAX_CLIP_MS) };
}

/**
 * Exports [startMs, endMs) of camera `id`; `progress(text, isError)` hears each step; the
 * returned promise resolves with the READY clip once the download has been started.
 */
export async function saveClip(config, id, startMs, endMs, progress) {
  const started = await createClip(config, id, startMs, endMs);
  const t0 = Date.now();
  let clip = started;
  while (clip.state === 'EXPORTING') {
    progress(`${id}: making clip… ${Math.round((Date.now() - t0) / 1000)} s`);
    await new Promise((r) => setTimeout(r, 1000));
    clip = await getClip(config, id, started.clipId);
  }
  if (clip.state !== 'READY') throw new Error(clip.error?.message ?? `clip ${clip.state}`);
  progress(`${id}: clip ready (${(clip.sizeBytes / 1e6).toFixed(1)} MB), downloading`);
  const a = document.createElement('a');
  a.href = clip.downloadUrl;
  a.download = `${id}-${new Date(startMs).toISOString().replace(/[:.]/g, '')}.mp4`;
  a.dataset.clipId = clip.clipId;
  // A new tab: the cloud's URL downloads (Content-Disposition: attachment); local mode's plays there.
  a.target = '_blank';
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  return clip;
}
