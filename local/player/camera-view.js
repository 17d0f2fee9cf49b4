// One camera: hls.js playback (LIVE, or from a moment picked on the timeline or in the
// event list), today's timeline (recorded spans, gaps, events), the event list (each
// event can be saved as an MP4 clip), and, in
// local mode, an event trigger and an unplug switch. State lives on window.camrec.
import { createSession, LIVE_START_TARGET_DURATIONS, liveStartReadiness, setLocalCameraPower, triggerLocalEvent, api } from './api-client.js';
import { eventClipRange, saveClip } from './clip-save.js';
import { renderTimeline } from './timeline-view.js';

const $ = (id) => document.getElementById(id);
const TIMELINE_REFRESH_MS = 4000;
const WINDOWS_S = { day: 86_400, hour: 3_600, '10min': 600 };
const STRIP_PICTURES = 24;

/** Today's date in the page's time zone, as <input type=date> wants it. */
export const todayInputValue = (now = new Date()) =>
  `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;

export class CameraView {
  constructor(camrec, status) {
    this.camrec = camrec;
    this.status = status;
    this.view = undefined;
    $('trigger').hidden = !camrec.config.local;
    $('power').hidden = !camrec.config.local;
    $('trigger-event').onclick = () => void this.triggerEvent();
    $('power').onclick = () => void this.togglePower();
    $('go-live').onclick = () => void this.play('LIVE');
    $('zoom').onchange = () => {
      $('day').value = '';
      void this.refreshTimeline();
    };
    $('day').onchange = () => void this.refreshTimeline();
    const list = $('cameras');
    list.replaceChildren();
    for (const c of camrec.config.cameras) {
      const b = document.createElement('button');
      b.dataset.camera = c.id;
      b.textContent = c.id;
      b.onclick = () => this.open(c.id);
      const li = document.createElement('li');
      li.append(b);
      list.append(li);
    }
    this.poll = setInterval(() => void this.refreshTimeline(), TIMELINE_REFRESH_MS);
    setInterval(() => {
      const ms = camrec.playingAtMs();
      this.view?.setPlayhead(ms);
      $('clock').textContent = ms ? new Date(ms).toLocaleTimeString() : '';
    }, 250);
  }

  /** Opens camera `id`: live, with today's timeline. */
  open(id) {
    const c = this.camrec;
    c.camera = id;
    for (const b of document.querySelectorAll('#cameras button')) b.setAttribute('aria-pressed', String(b.dataset.camera === id));
    $('camera-name').textContent = id;
    $('day').value = todayInputValue();
    void this.play('LIVE');
    void this.refreshTimeline();
  }

  close() {
    this.camrec.hls?.destroy();
    this.camrec.hls = undefined;
    this.camrec.camera = undefined;
    this.camrec.mode = undefined;
    $('video').removeAttribute('src');
  }

  attach(playlistUrl, startAtWallMs) {
    const c = this.camrec;
    const video = $('video');
    c.hls?.destroy();
    c.errors = [];
    c.playlistUrl = playlistUrl;
    if (!window.Hls?.isSupported()) {
      video.src = playlistUrl; // Safari plays HLS natively
      void video.play().catch(() => {});
      return;
    }
    // From a picked moment the playlist starts at the segment holding it: play from its
    // start rather than jumping to the live edge of the growing (EVENT) playlist.
    const replay = startAtWallMs !== undefined;
    // LIVE starts three target durations behind the end of the playlist (RFC 8216 6.3.3;
    // hls.js's default too, said here because it is the contract): that much buffer rides
    // out a segment that lands late. Two (as this page had) stalled when the machine was busy.
    const hls = new window.Hls({
      liveSyncDurationCount: LIVE_START_TARGET_DURATIONS,
      enableWorker: true,
      lowLatencyMode: false,
      startPosition: replay ? 0 : -1,
    });
    c.hls = hls;
    hls.on(window.Hls.Events.ERROR, (_e, data) => {
      c.errors.push({ type: data.type, details: data.details, fatal: data.fatal });
      if (data.fatal) this.status(`playback error: ${data.details}`, true);
    });
    hls.on(window.Hls.Events.MANIFEST_PARSED, () => void video.play().catch(() => {}));
    hls.loadSource(playlistUrl);
    hls.attachMedia(video);
    c.startAtWallMs = startAtWallMs;
  }

  async play(mode, startMs) {
    const c = this.camrec;
    const id = c.camera;
    if (!id) return;
    const body = mode === 'LIVE' ? { mode } : { mode, start: new Date(startMs).toISOString() };
    const what = mode === 'LIVE' ? `${id}: live` : `${id}: from ${new Date(startMs).toLocaleString()}`;
    this.status(what);
    try {
      const { playlistUrl } = await createSession(c.config, id, body);
      // A camera that has not uploaded yet has a valid but empty playlist: wait for a segment.
      // LIVE waits until the playlist holds three target durations (a camera that has just
      // started): starting on its first segment would leave nothing to play while the next
      // one is on its way, and playback would stall.
      for (;;) {
        const r = await liveStartReadiness(playlistUrl);
        if (id !== c.camera) return;
        if (mode === 'LIVE' ? r.mediaSeconds >= r.startSeconds - 0.5 : r.segments > 0) break;
        this.status(
          r.segments === 0 ? `${id}: waiting for the first segment...` : `${id}: waiting for ${Math.round(r.startSeconds)} s of video to start behind live...`,
        );
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (id !== c.camera) return;
      this.status(what);
      c.mode = mode;
      c.pickedMs = startMs;
      $('mode').textContent = mode === 'LIVE' ? 'LIVE' : 'REPLAY';
      this.attach(playlistUrl, startMs);
    } catch (err) {
      this.status(err.message, true);
    }
  }

  timelineWindow() {
    const day = $('day').value;
    if (day) {
      const start = new Date(`${day}T00:00:00`).getTime();
      return { startMs: start, endMs: start + 86_400_000 };
    }
    const span = WINDOWS_S[$('zoom').value] * 1000;
    const endMs = Date.now() + span * 0.05;
    return { startMs: endMs - span, endMs };
  }

  async refreshTimeline() {
    const c = this.camrec;
    const id = c.camera;
    if (!id) return;
    // Only the newest request may draw: an answer for the window before a zoom or day change
    // that arrives after the new one must not put the old window back.
    const generation = (this.timelineGeneration = (this.timelineGeneration ?? 0) + 1);
    const { startMs, endMs } = this.timelineWindow();
    // About 24 pictures across the strip, whatever the window (one a minute at least apart).
    const every = Math.max(60, Math.round((endMs - startMs) / 1000 / STRIP_PICTURES));
    const q = `start=${encodeURIComponent(new Date(startMs).toISOString())}&end=${encodeURIComponent(new Date(endMs).toISOString())}&imageEverySeconds=${every}`;
    try {
      const t = await api(c.config, 'GET', `/v1/cameras/${encodeURIComponent(id)}/timeline?${q}`);
      if (id !== c.camera || generation !== this.timelineGeneration) return;
      c.timeline = t;
      this.view = renderTimeline(
        $('timeline'),
        { startMs, endMs, spans: t.spans, gaps: t.gaps, events: t.events, images: t.images ?? [] },
        (ms) => void this.play('LIVE_REPLAY', ms),
      );
      this.renderEvents(t.events);
    } catch (err) {
      this.status(`timeline: ${err.message}`, true);
    }
  }

  renderEvents(events) {
    const list = $('events');
    list.replaceChildren();
    for (const e of [...events].reverse()) {
      const li = document.createElement('li');
      li.dataset.eventId = e.eventId;
      const b = document.createElement('button');
      const length = e.open ? 'going on' : `${Math.round((e.endMs - e.startMs) / 1000)} s`;
      b.textContent = `${new Date(e.startMs).toLocaleTimeString()}  ${e.type}${e.label ? ` – ${e.label}` : ''}  (${length})`;
      b.onclick = () => void this.play('LIVE_REPLAY', e.startMs);
      if (e.image) {
        // The event's picture: what the camera saw when it started.
        const img = document.createElement('img');
        img.className = 'event-picture';
        img.src = e.image.url;
        img.alt = `${e.type} at ${new Date(e.image.atMs).toLocaleTimeString()}`;
        b.prepend(img);
      }
      li.append(b);
      if (!e.open) {
        const save = document.createElement('button');
        save.className = 'save-clip';
        save.textContent = 'Save clip';
        save.title = 'Export this event as one MP4 and download it';
        save.onclick = () => void this.saveClip(save, eventClipRange(e));
        li.append(save);
      }
      list.append(li);
    }
    $('no-events').hidden = events.length > 0;
  }

  /** Exports a range as an MP4 with progress in the status line; the button waits meanwhile. */
  async saveClip(button, { startMs, endMs }) {
    const id = this.camrec.camera;
    button.disabled = true;
    try {
      const clip = await saveClip(this.camrec.config, id, startMs, endMs, (text) => this.status(text));
      button.dataset.clipId = clip.clipId;
      this.status(`${id}: clip saved (${clip.clipId})`);
    } catch (err) {
      this.status(`clip: ${err.message}`, true);
    } finally {
      button.disabled = false;
    }
  }

  async triggerEvent() {
    const id = this.camrec.camera;
    try {
      await triggerLocalEvent(id, $('event-type').value, Number($('event-seconds').value));
      this.status(`${id}: ${$('event-type').value} event started`);
    } catch (err) {
      this.status(`event: ${err.message}`, true);
    }
  }

  async togglePower() {
    const id = this.camrec.camera;
    const on = $('power').getAttribute('aria-pressed') === 'true';
    try {
      await setLocalCameraPower(id, on);
      $('power').setAttribute('aria-pressed', String(!on));
      $('power').textContent = on ? 'Unplug camera' : 'Plug camera in';
      this.status(`${id}: ${on ? 'plugged in' : 'unplugged'}`);
    } catch (err) {
      this.status(err.message, true);
    }
  }
}
