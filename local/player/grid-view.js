// The grid: every camera at once. A tile costs little until it is watched: it shows the
// newest segment's first frame (one LIVE playlist, one segment, one key), then plays live
// on hover or keyboard focus (or all tiles, with "Play all live"); leaving stops loading.
// Its label shows the camera's name, state (recording, idle, offline, privacy) and newest
// event, from the status route every few seconds and at once on a notification. Until its
// first frame is in, a tile shows the camera's newest picture.
import { api, cameraStatus, createSession, hasSegments } from './api-client.js';

const STATUS_REFRESH_MS = 5000;
const POSTER_RETRY_MS = 3000;
/** A tile looks for a newer picture at most this often. */
const PICTURE_REFRESH_MS = 30_000;
const PICTURE_LOOKBACK_MS = 10 * 60_000;
const STATE_TEXT = { recording: 'recording', idle: 'idle', offline: 'offline', privacy: 'privacy', unknown: 'no video yet' };

const fmtTime = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

/** One camera's tile. `tile.info` is what the page and the tests read. */
class Tile {
  constructor(config, id, onOpen) {
    this.config = config;
    this.id = id;
    this.hls = undefined;
    this.wantPlay = false;
    this.info = { state: undefined, lastEvent: null, poster: false, playing: false, loads: 0, errors: [], picture: null };
    this.video = el('video', { muted: true, playsInline: true, preload: 'none' });
    this.video.setAttribute('aria-label', `${id} video`);
    this.stateBadge = el('span', { className: 'state' });
    this.eventText = el('span', { className: 'last-event' });
    this.overlay = el('div', { className: 'overlay' });
    this.root = el(
      'li',
      { className: 'tile', tabIndex: 0 },
      el('div', { className: 'frame' }, this.video, this.overlay),
      el('div', { className: 'label' }, el('strong', { textContent: id }), this.stateBadge, this.eventText),
    );
    this.root.dataset.camera = id;
    this.root.setAttribute('role', 'button');
    this.root.setAttribute('aria-label', `${id}: open today's recordings`);
    this.root.onclick = () => onOpen(id);
    this.root.onkeydown = (e) => {
      if (e.key === 'Enter' || e.key === ' ') onOpen(id);
    };
    this.root.onmouseenter = this.root.onfocus = () => this.play('hover');
    this.root.onmouseleave = this.root.onblur = () => this.settle();
  }

  setStatus(s) {
    this.info.state = s.state;
    this.info.lastEvent = s.lastEvent;
    this.root.dataset.state = s.state;
    this.stateBadge.textContent = STATE_TEXT[s.state] ?? s.state;
    this.stateBadge.className = `state state-${s.state}`;
    const e = s.lastEvent;
    this.eventText.textContent = e ? `${e.type} ${fmtTime(e.startMs)}${e.open ? ' (now)' : ''}` : 'no events';
    this.eventText.dataset.eventId = e?.eventId ?? '';
    const dark = s.state === 'offline' || s.state === 'privacy' || s.state === 'unknown';
    this.overlay.textContent = dark ? STATE_TEXT[s.state] : '';
    this.overlay.hidden = !dark;
    if (!dark && !this.hls) void this.poster();
    // Until the tile's own first frame is in, the newest picture stands in for it (one timeline call, then one every 30 s at most).
    if (!this.info.poster) void this.newestPicture();
  }

  /** The camera's newest picture (to the minute) as the video's poster: the timeline's last strip picture of the last 10 minutes. */
  async newestPicture() {
    if (this.pictureAtMs !== undefined && Date.now() - this.pictureAtMs < PICTURE_REFRESH_MS) return;
    this.pictureAtMs = Date.now();
    const end = Date.now() + 5000;
    const q = `start=${encodeURIComponent(new Date(end - PICTURE_LOOKBACK_MS).toISOString())}&end=${encodeURIComponent(new Date(end).toISOString())}&imageEverySeconds=60`;
    try {
      const t = await api(this.config, 'GET', `/v1/cameras/${encodeURIComponent(this.id)}/timeline?${q}`);
      const newest = t.images?.at(-1);
      if (!newest) return;
      this.info.picture = { url: newest.url, atMs: newest.atMs };
      this.video.poster = newest.url;
    } catch (err) {
      this.info.errors.push({ details: `picture: ${err.message}` });
    }
  }

  /** The newest segment's first frame: load one segment, then stop loading. */
  async poster() {
    if (this.loadingPoster) return;
    this.loadingPoster = true;
    try {
      const { playlistUrl, expiresAt } = await createSession(this.config, this.id, { mode: 'LIVE' });
      this.expiresAtMs = Date.parse(expiresAt);
      if (!(await hasSegments(playlistUrl))) {
        setTimeout(() => {
          this.loadingPoster = false;
          if (!this.hls && this.info.state !== 'offline') void this.poster();
        }, POSTER_RETRY_MS);
        return;
      }
      this.attach(playlistUrl);
    } catch (err) {
      this.info.errors.push({ details: err.message, fatal: true });
      this.loadingPoster = false;
    }
  }

  attach(playlistUrl) {
    if (!window.Hls?.isSupported()) {
      this.video.src = playlistUrl; // Safari: native HLS
      return;
    }
    // Start at the newest segment and buffer under a second ahead: the poster costs one
    // segment. Playing raises the buffer to a few seconds (see play()).
    const hls = new window.Hls({
      liveSyncDurationCount: 1,
      maxBufferLength: 1,
      maxMaxBufferLength: 1,
      backBufferLength: 0,
      enableWorker: true,
      lowLatencyMode: false,
    });
    this.hls = hls;
    hls.on(window.Hls.Events.ERROR, (_e, d) => this.info.errors.push({ type: d.type, details: d.details, fatal: d.fatal }));
    hls.on(window.Hls.Events.FRAG_LOADED, () => this.info.loads++);
    hls.on(window.Hls.Events.FRAG_BUFFERED, () => {
      if (this.wantPlay || this.info.poster) return;
      // The poster frame is in: show it, and fetch nothing more until someone watches.
      this.info.poster = true;
      hls.stopLoad();
      if (this.video.buffered.length) this.video.currentTime = this.video.buffered.start(0);
    });
    hls.loadSource(playlistUrl);
    hls.attachMedia(this.video);
    if (this.wantPlay) this.play();
  }

  play(reason) {
    if (reason === 'hover' && this.grid?.playAll) return;
    this.wantPlay = true;
    if (!this.hls) return;
    if (this.expiresAtMs - Date.now() < 60_000) {
      // The tile's session (1 h) is about to end: a fresh one, then play.
      this.destroy();
      void this.poster();
      return;
    }
    Object.assign(this.hls.config, { maxBufferLength: 4, maxMaxBufferLength: 8 });
    this.hls.startLoad(-1);
    void this.video
      .play()
      .then(() => (this.info.playing = true))
      .catch(() => {});
  }

  /** Leaving a tile: back to its poster unless every tile plays. */
  settle() {
    if (this.grid?.playAll) return;
    this.stop();
  }

  stop() {
    this.wantPlay = false;
    this.info.playing = false;
    this.video.pause();
    this.hls?.stopLoad();
  }

  destroy() {
    this.hls?.destroy();
    this.hls = undefined;
    this.loadingPoster = false;
    this.info.poster = false;
  }
}

/** The grid of all cameras in `config.cameras`; `onOpen(id)` opens one camera's view. */
export class GridView {
  constructor(root, config, onOpen) {
    this.root = root;
    this.config = config;
    this.playAll = false;
    this.tiles = new Map();
    const list = root.querySelector('#grid');
    list.replaceChildren();
    for (const c of config.cameras) {
      const t = new Tile(config, c.id, onOpen);
      t.grid = this;
      this.tiles.set(c.id, t);
      list.append(t.root);
    }
    root.querySelector('#grid-summary').textContent = `${config.cameras.length} camera${config.cameras.length === 1 ? '' : 's'}`;
    this.playAllButton = root.querySelector('#play-all');
    this.playAllButton.onclick = () => this.setPlayAll(!this.playAll);
  }

  setPlayAll(on) {
    this.playAll = on;
    this.playAllButton.setAttribute('aria-pressed', String(on));
    this.playAllButton.textContent = on ? 'Stop live' : 'Play all live';
    for (const t of this.tiles.values()) {
      if (on) t.play();
      else t.stop();
    }
  }

  /** Starts polling the status of every camera. */
  start() {
    this.stopped = false;
    const tick = async () => {
      await Promise.all([...this.tiles.keys()].map((id) => this.refresh(id)));
      if (!this.stopped) this.timer = setTimeout(tick, STATUS_REFRESH_MS);
    };
    void tick();
  }

  async refresh(id) {
    try {
      this.tiles.get(id)?.setStatus(await cameraStatus(this.config, id));
    } catch (err) {
      this.tiles.get(id)?.info.errors.push({ details: `status: ${err.message}` });
    }
  }

  /** Leaving the grid (a camera opened): stop everything it loads. */
  pause() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.playAll) this.setPlayAll(false);
    for (const t of this.tiles.values()) t.destroy();
  }

  /** What the page and the tests read. */
  snapshot() {
    return Object.fromEntries(
      [...this.tiles].map(([id, t]) => [
        id,
        { ...t.info, currentTime: t.video.currentTime, paused: t.video.paused, width: t.video.videoWidth, height: t.video.videoHeight },
      ]),
    );
  }
}
