// camrec player: a grid of every camera (live tiles), one camera's view (playback,
// today's timeline, events) and, in local mode, the notifications as they happen.
// Routes: #  -> the grid;  #camera=ID -> that camera.
import { CameraView } from './camera-view.js';
import { GridView } from './grid-view.js';
import { NotificationsView } from './notifications-view.js';

const $ = (id) => document.getElementById(id);

/** Public state, for people poking at the page and for the browser tests. */
const camrec = (window.camrec = {
  config: undefined,
  view: undefined,
  camera: undefined,
  mode: undefined,
  hls: undefined,
  errors: [],
  playlistUrl: undefined,
  timeline: undefined,
  pickedMs: undefined,
  grid: undefined,
  notifications: undefined,
});

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
        credentials: {
          accessKeyId: String(f.get('accessKeyId')),
          secretAccessKey: String(f.get('secretAccessKey')),
          sessionToken: String(f.get('sessionToken')) || undefined,
        },
        cameras: String(f.get('cameras'))
          .split(',')
          .map((id) => ({ id: id.trim() }))
          .filter((c) => c.id),
        local: false,
      };
      sessionStorage.setItem('camrec.config', JSON.stringify(cfg));
      $('connect').hidden = true;
      resolve(cfg);
    };
  });
}

/** The wall-clock time being shown (from EXT-X-PROGRAM-DATE-TIME), if known. */
camrec.playingAtMs = () => camrec.hls?.playingDate?.getTime?.() ?? undefined;

let grid;
let single;

function route() {
  const m = /^#camera=(.+)$/.exec(location.hash);
  const id = m ? decodeURIComponent(m[1]) : undefined;
  if (id && camrec.config.cameras.some((c) => c.id === id)) {
    if (camrec.view === 'grid') grid.pause();
    camrec.view = 'camera';
    $('grid-view').hidden = true;
    $('camera-view').hidden = false;
    $('back-to-grid').hidden = false;
    if (camrec.camera !== id) single.open(id);
  } else {
    if (camrec.view === 'camera') single.close();
    camrec.view = 'grid';
    $('camera-view').hidden = true;
    $('grid-view').hidden = false;
    $('back-to-grid').hidden = true;
    status(`${camrec.config.cameras.length} cameras`);
    grid.start();
  }
}

async function main() {
  camrec.config = await loadConfig();
  single = new CameraView(camrec, status);
  grid = new GridView($('grid-view'), camrec.config, (id) => {
    location.hash = `camera=${encodeURIComponent(id)}`;
  });
  camrec.grid = grid;
  $('back-to-grid').onclick = () => {
    location.hash = '';
  };
  if (camrec.config.local) {
    $('notifications').hidden = false;
    camrec.notifications = new NotificationsView($('notification-list'), (n) => {
      if (camrec.view === 'grid') void grid.refresh(n.detail.deviceId);
      if (camrec.view === 'camera' && n.detail.deviceId === camrec.camera) void single.refreshTimeline();
    });
    camrec.notifications.start();
  }
  if (!camrec.config.cameras.length) {
    status('no cameras: start camrec local with --cameras N');
    return;
  }
  window.addEventListener('hashchange', route);
  route();
}

void main();
