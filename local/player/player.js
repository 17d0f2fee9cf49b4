// camrec player: camera list, hls.js playback (LIVE, or from a moment picked on the
// timeline), the day timeline, the event list and (in local mode) an event trigger.
import { signHeaders } from './sigv4-browser.js';
import { renderTimeline } from './timeline-view.js';

const $ = (id) => document.getElementById(id);
const TIMELINE_REFRESH_MS = 4000;
const WINDOWS_S = { day: 86_400, hour: 3_600, '10min': 600 };

/** Public state, for people poking at the page and for the browser tests. */
const camrec = (window.camrec = { config: undefined, camera: undefined, mode: undefined, hls: undefined, errors: [], playlistUrl: undefined, timeline: undefined, pickedMs: undefined });

function status(text, isError = false) {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

async function loadConfig() {
  try {
    const res = await fetch('/local/config.json', { cache: 'no-store' });
    if (res.ok) return { ...(await res.json()), local: true };
  } catch {
    // not served by camrec local: ask for a deployed API below
  }
  const saved = sessionStorage.getItem('camrec.config');
  if (saved) return JSON.parse(saved);
  $('connect').hidden = false;
  return new Promise((resolve) => {
    $('connect').onsubmit = (ev) => {
      ev.preventDefault();
      const f = new FormData($('connect'));
      const cfg = {
        apiUrl: String(f.get('apiUrl')).replace(/\/+$/, ''),
        region: String(f.get('region')),
        credentials: { accessKeyId: String(f.get('accessKeyId')), secretAccessKey: String(f.get('secretAccessKey')), sessionToken: String(f.get('sessionToken')) || undefined },
        cameras: String(f.get('cameras')).split(',').map((id) => ({ id: id.trim() })).filter((c) => c.id),
        local: false,
      };
      sessionStorage.setItem('camrec.config', JSON.stringify(cfg));
      $('connect').hidden = true;
      resolve(cfg);
    };
  });
}

/** A signed call to the playback API's IAM routes; throws with the API's message. */
async function api(method, path, body) {
  const { apiUrl, region, credentials } = camrec.config;
  const url = `${apiUrl}${path}`;
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = await signHeaders({ method, url, body: text, creds: credentials, region });
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : text });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json?.error?.message ?? json?.message ?? `${method} ${path}: HTTP ${res.status}`);
  return json;
}

function attach(playlistUrl, startAtWallMs) {
  const video = $('video');
  camrec.hls?.destroy();
  camrec.errors = [];
  camrec.playlistUrl = playlistUrl;
  if (!window.Hls?.isSupported()) {
    video.src = playlistUrl; // Safari plays HLS natively
    void video.play().catch(() => {});
    return;
  }
  // From a picked moment the playlist starts at the segment holding it: play from its
  // start rather than jumping to the live edge of the growing (EVENT) playlist.
  const replay = startAtWallMs !== undefined;
  const hls = new window.Hls({ liveSyncDurationCount: 2, enableWorker: true, lowLatencyMode: false, startPosition: replay ? 0 : -1 });
  camrec.hls = hls;
  hls.on(window.Hls.Events.ERROR, (_e, data) => {
    camrec.errors.push({ type: data.type, details: data.details, fatal: data.fatal });
    if (data.fatal) status(`playback error: ${data.details}`, true);
  });
  hls.on(window.Hls.Events.MANIFEST_PARSED, () => void video.play().catch(() => {}));
  hls.loadSource(playlistUrl);
  hls.attachMedia(video);
  camrec.startAtWallMs = startAtWallMs;
}

async function hasSegments(playlistUrl) {
  const res = await fetch(playlistUrl, { cache: 'no-store' });
  return res.ok && (await res.text()).includes('#EXTINF');
}

async function play(mode, startMs) {
  const id = camrec.camera;
  if (!id) return;
  const body = mode === 'LIVE' ? { mode } : { mode, start: new Date(startMs).toISOString() };
  status(mode === 'LIVE' ? `${id}: live` : `${id}: from ${new Date(startMs).toLocaleString()}`);
  try {
    const { playlistUrl } = await api('POST', `/v1/cameras/${encodeURIComponent(id)}/sessions`, body);
    // A camera that has not uploaded yet has a valid but empty playlist: wait for a segment.
    for (let tries = 0; !(await hasSegments(playlistUrl)); tries++) {
      if (id !== camrec.camera) return;
      status(`${id}: waiting for the first segment...`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (id !== camrec.camera) return;
    status(mode === 'LIVE' ? `${id}: live` : `${id}: from ${new Date(startMs).toLocaleString()}`);
    camrec.mode = mode;
    camrec.pickedMs = startMs;
    $('mode').textContent = mode === 'LIVE' ? 'LIVE' : 'REPLAY';
    attach(playlistUrl, startMs);
  } catch (err) {
    status(err.message, true);
  }
}

/** The wall-clock time being shown (from EXT-X-PROGRAM-DATE-TIME), if known. */
camrec.playingAtMs = () => camrec.hls?.playingDate?.getTime?.() ?? undefined;

function timelineWindow() {
  const day = $('day').value;
  if (day) {
    const start = new Date(`${day}T00:00:00`).getTime();
    return { startMs: start, endMs: start + 86_400_000 };
  }
  const span = WINDOWS_S[$('zoom').value] * 1000;
  const endMs = Date.now() + span * 0.05;
  return { startMs: endMs - span, endMs };
}

let view;
async function refreshTimeline() {
  const id = camrec.camera;
  if (!id) return;
  const { startMs, endMs } = timelineWindow();
  const q = `start=${encodeURIComponent(new Date(startMs).toISOString())}&end=${encodeURIComponent(new Date(endMs).toISOString())}`;
  try {
    const t = await api('GET', `/v1/cameras/${encodeURIComponent(id)}/timeline?${q}`);
    if (id !== camrec.camera) return;
    camrec.timeline = t;
    view = renderTimeline($('timeline'), { startMs, endMs, spans: t.spans, gaps: t.gaps, events: t.events }, (ms) => void play('LIVE_REPLAY', ms));
    renderEvents(t.events);
  } catch (err) {
    status(`timeline: ${err.message}`, true);
  }
}

function renderEvents(events) {
  const list = $('events');
  list.replaceChildren();
  for (const e of [...events].reverse()) {
    const li = document.createElement('li');
    li.dataset.eventId = e.eventId;
    const b = document.createElement('button');
    b.textContent = `${new Date(e.startMs).toLocaleTimeString()}  ${e.type}${e.label ? ` – ${e.label}` : ''}  (${Math.round((e.endMs - e.startMs) / 1000)} s)`;
    b.onclick = () => void play('LIVE_REPLAY', e.startMs);
    li.append(b);
    list.append(li);
  }
  $('no-events').hidden = events.length > 0;
}

async function triggerEvent() {
  const id = camrec.camera;
  const res = await fetch(`/local/cameras/${encodeURIComponent(id)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: $('event-type').value, seconds: Number($('event-seconds').value) }),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) status(`event: ${json?.error?.message ?? res.status}`, true);
  else status(`${id}: ${$('event-type').value} event started`);
}

function selectCamera(id) {
  camrec.camera = id;
  for (const b of document.querySelectorAll('#cameras button')) b.setAttribute('aria-pressed', String(b.dataset.camera === id));
  $('camera-name').textContent = id;
  void play('LIVE');
  void refreshTimeline();
}

async function main() {
  camrec.config = await loadConfig();
  const list = $('cameras');
  for (const c of camrec.config.cameras) {
    const b = document.createElement('button');
    b.dataset.camera = c.id;
    b.textContent = c.id;
    b.onclick = () => selectCamera(c.id);
    const li = document.createElement('li');
    li.append(b);
    list.append(li);
  }
  $('trigger').hidden = !camrec.config.local;
  $('trigger-event').onclick = () => void triggerEvent();
  $('go-live').onclick = () => void play('LIVE');
  $('zoom').onchange = () => void refreshTimeline();
  $('day').onchange = () => void refreshTimeline();
  setInterval(() => void refreshTimeline(), TIMELINE_REFRESH_MS);
  setInterval(() => {
    const ms = camrec.playingAtMs();
    view?.setPlayhead(ms);
    $('clock').textContent = ms ? new Date(ms).toLocaleTimeString() : '';
  }, 250);
  if (camrec.config.cameras[0]) selectCamera(camrec.config.cameras[0].id);
  else status('no cameras: start camrec local with --cameras N');
}

void main();
