// The day timeline: recorded spans, gaps and event marks over a time window, drawn with
// absolutely positioned elements (percent of the window), plus a playhead; under it a strip
// of the camera's pictures (the timeline answer's `images`), and over it, while the pointer
// hovers the track, the picture nearest the time under the pointer.

/** Position of `ms` in [startMs, endMs) as a percentage, clamped to 0..100. */
export const percentAt = (ms, startMs, endMs) => Math.min(100, Math.max(0, ((ms - startMs) / (endMs - startMs)) * 100));

/** The time at horizontal fraction `x` (0..1) of the window. */
export const timeAtFraction = (x, startMs, endMs) => Math.round(startMs + Math.min(1, Math.max(0, x)) * (endMs - startMs));

const fmt = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** The picture nearest `ms` in `images` (ascending by atMs), or undefined when there are none. */
export function nearestImage(images, ms) {
  let best;
  for (const i of images) if (!best || Math.abs(i.atMs - ms) < Math.abs(best.atMs - ms)) best = i;
  return best;
}

const picture = (image, className) => {
  const img = document.createElement('img');
  img.className = className;
  img.src = image.url;
  img.alt = `picture at ${fmt(image.atMs)}`;
  img.dataset.atMs = String(image.atMs);
  img.decoding = 'async';
  return img;
};

export function renderTimeline(root, { startMs, endMs, spans, gaps, events, images = [] }, onPick) {
  root.replaceChildren();
  root.dataset.startMs = String(startMs);
  root.dataset.endMs = String(endMs);
  const track = document.createElement('div');
  track.className = 'track';
  root.append(track);
  const place = (el, a, b) => {
    const left = percentAt(a, startMs, endMs);
    el.style.left = `${left}%`;
    el.style.width = `${Math.max(0.15, percentAt(b, startMs, endMs) - left)}%`;
  };
  for (const s of spans) {
    const el = document.createElement('div');
    el.className = 'span';
    el.title = `recorded ${fmt(s.startMs)} – ${fmt(s.endMs)} (${s.segments} segments)`;
    place(el, s.startMs, s.endMs);
    track.append(el);
  }
  for (const g of gaps) {
    const el = document.createElement('div');
    el.className = 'gap';
    el.title = `no recording ${fmt(g.startMs)} – ${fmt(g.endMs)}`;
    place(el, g.startMs, g.endMs);
    track.append(el);
  }
  for (const e of events) {
    const el = document.createElement('div');
    el.className = e.open ? 'event-mark open' : 'event-mark';
    el.dataset.eventId = e.eventId;
    el.dataset.type = e.type;
    el.title = `${e.type} ${fmt(e.startMs)}${e.open ? ' (going on)' : ''}`;
    place(el, e.startMs, e.endMs);
    track.append(el);
  }
  const head = document.createElement('div');
  head.className = 'playhead';
  head.hidden = true;
  track.append(head);
  const labels = document.createElement('div');
  labels.className = 'labels';
  for (let i = 0; i <= 4; i++) {
    const l = document.createElement('span');
    l.textContent = fmt(startMs + ((endMs - startMs) * i) / 4);
    l.style.left = `${i * 25}%`;
    labels.append(l);
  }
  root.append(labels);
  // The strip: each picture at its time; a click plays from there.
  const strip = document.createElement('div');
  strip.className = 'strip';
  for (const image of images) {
    if (image.atMs < startMs || image.atMs >= endMs) continue;
    const img = picture(image, 'strip-picture');
    img.style.left = `${percentAt(image.atMs, startMs, endMs)}%`;
    img.title = `${fmt(image.atMs)}: play from here`;
    img.onclick = () => onPick(image.atMs);
    strip.append(img);
  }
  strip.hidden = strip.childElementCount === 0;
  root.append(strip);
  // Hovering the track shows the nearest picture (events' pictures included) above the pointer.
  const all = [...images, ...events.map((e) => e.image).filter(Boolean)].sort((a, b) => a.atMs - b.atMs);
  const preview = document.createElement('figure');
  preview.className = 'hover-preview';
  preview.hidden = true;
  const previewImg = document.createElement('img');
  const caption = document.createElement('figcaption');
  preview.append(previewImg, caption);
  root.append(preview);
  track.onmousemove = (ev) => {
    const r = track.getBoundingClientRect();
    const x = (ev.clientX - r.left) / r.width;
    const near = nearestImage(all, timeAtFraction(x, startMs, endMs));
    if (!near) return;
    if (previewImg.dataset.atMs !== String(near.atMs)) {
      previewImg.src = near.url;
      previewImg.alt = `picture at ${fmt(near.atMs)}`;
      previewImg.dataset.atMs = String(near.atMs);
      caption.textContent = fmt(near.atMs);
    }
    preview.style.left = `${Math.min(100, Math.max(0, x * 100))}%`;
    preview.hidden = false;
  };
  track.onmouseleave = () => {
    preview.hidden = true;
  };
  track.onclick = (ev) => {
    const r = track.getBoundingClientRect();
    onPick(timeAtFraction((ev.clientX - r.left) / r.width, startMs, endMs));
  };
  return {
    setPlayhead(ms) {
      if (ms === undefined || ms < startMs || ms > endMs) {
        head.hidden = true;
        return;
      }
      head.hidden = false;
      head.style.left = `${percentAt(ms, startMs, endMs)}%`;
    },
  };
}
