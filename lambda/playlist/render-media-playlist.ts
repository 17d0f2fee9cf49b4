import { TS_INIT_NAME, gapUri, initUri, keyUri, packUri, segmentUri, type PlaylistEntry } from './playlist-entry.ts';

/** The MAP state after the MPEG-TS initialization section (not an fMP4 init id: those are 32 hex digits). */
const TS_MAP = `ts:${TS_INIT_NAME}`;

/** RFC 8216 playlist kinds: a sliding LIVE window, a growing EVENT, a fixed VOD. */
export const PlaylistKind = { LIVE: 'LIVE', EVENT: 'EVENT', VOD: 'VOD' } as const;
export type PlaylistKind = (typeof PlaylistKind)[keyof typeof PlaylistKind];

/**
 * EXT-X-VERSION: 3 for floating-point EXTINF (v3) and EXT-X-KEY IV (v2); 4 when it holds
 * an EXT-X-BYTERANGE (RFC 8216 7: BYTERANGE needs version 4); 6 when it holds an
 * EXT-X-MAP (fMP4 segments; RFC 8216 7: MAP outside an I-frame playlist needs version 6);
 * 8 when it holds an EXT-X-GAP (draft-pantos-hls-rfc8216bis: GAP needs version 8).
 */
export const HlsVersion = { BASE: 3, WITH_BYTERANGE: 4, WITH_MAP: 6, WITH_GAP: 8 } as const;
export const DATERANGE_CLASS = 'com.camrec.event';

export interface PlaylistEvent {
  eventId: string;
  type: string;
  startMs: number;
  /** Undefined while the event is still going on: its DATERANGE has no END-DATE yet. */
  endMs?: number;
}

export interface MediaPlaylist {
  kind: PlaylistKind;
  targetDurationSeconds: number;
  mediaSequence: number;
  discontinuitySequence: number;
  entries: readonly PlaylistEntry[];
  events: readonly PlaylistEvent[];
  /** EXT-X-ENDLIST: always for VOD, for EVENT once the range is over. */
  ended: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const DAY_MS = 86_400_000;
const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
const pad3 = (n: number): string => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/**
 * ISO 8601 UTC with milliseconds, as Date.prototype.toISOString writes it, but with the
 * `YYYY-MM-DDT` prefix cached per day: a 24 h playlist formats 14,400 of these.
 */
function isoFormatter(): (ms: number) => string {
  let day = Number.NaN;
  let prefix = '';
  return (ms) => {
    const d = Math.floor(ms / DAY_MS);
    if (d !== day) {
      day = d;
      prefix = iso(d * DAY_MS).slice(0, 11);
    }
    let t = ms - d * DAY_MS;
    const h = Math.floor(t / 3_600_000);
    t -= h * 3_600_000;
    const m = Math.floor(t / 60_000);
    t -= m * 60_000;
    const sec = Math.floor(t / 1000);
    return `${prefix}${pad2(h)}:${pad2(m)}:${pad2(sec)}.${pad3(t - sec * 1000)}Z`;
  };
}

/** EXTINF duration in seconds with millisecond precision. */
const seconds = (ms: number): string => (ms / 1000).toFixed(3);
/** Quoted-string attribute values may not hold '"', CR or LF (RFC 8216 4.2). */
const quoted = (s: string): string => `"${s.replace(/["\r\n]/g, '')}"`;

function dateRange(ev: PlaylistEvent): string {
  return (
    `#EXT-X-DATERANGE:ID=${quoted(`${ev.eventId}`)},CLASS=${quoted(DATERANGE_CLASS)},` +
    `START-DATE=${quoted(iso(ev.startMs))},${ev.endMs !== undefined ? `END-DATE=${quoted(iso(ev.endMs))},` : ''}X-CAMREC-TYPE=${quoted(ev.type)}`
  );
}

/**
 * Writes a media playlist. Fixed EXT-X-TARGETDURATION from configuration;
 * EXT-X-PROGRAM-DATE-TIME on every entry; EXT-X-KEY with its explicit IV whenever key or
 * IV changes; EXT-X-MAP (clear init section, after EXT-X-KEY:METHOD=NONE while a key is in
 * force) before the first fMP4 segment of each init section, and the MPEG-TS one before TS
 * segments that follow fMP4 ones; EXT-X-BYTERANGE for packed segments (each was encrypted alone, so its range
 * decrypts alone with its own IV); EXT-X-GAP entries for missing segments; an EXT-X-DATERANGE before the entry
 * during which each event starts (DATERANGE needs a PROGRAM-DATE-TIME, so an empty
 * playlist carries none). Builds one array and joins once: 24 h is 14,400 entries.
 */
export function renderMediaPlaylist(p: MediaPlaylist): string {
  let gap = false;
  let byteRange = false;
  let map = false;
  for (const e of p.entries) {
    if (!e.segment) gap = true;
    else {
      if (e.segment.pack) byteRange = true;
      if (e.segment.initId !== undefined) map = true;
    }
  }
  const version = gap ? HlsVersion.WITH_GAP : map ? HlsVersion.WITH_MAP : byteRange ? HlsVersion.WITH_BYTERANGE : HlsVersion.BASE;
  const out: string[] = ['#EXTM3U', `#EXT-X-VERSION:${version}`, `#EXT-X-TARGETDURATION:${p.targetDurationSeconds}`];
  if (p.kind !== PlaylistKind.LIVE) out.push(`#EXT-X-PLAYLIST-TYPE:${p.kind}`);
  out.push(`#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`);
  if (p.discontinuitySequence > 0) out.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  out.push('#EXT-X-INDEPENDENT-SEGMENTS');

  const events = [...p.events].sort((a, b) => a.startMs - b.startMs);
  const pdt = isoFormatter();
  let nextEvent = 0;
  let keyId = '';
  let initId: string | undefined;
  let keyHead = '';
  let iv = '';
  let extinfMs = -1;
  let extinf = '';
  let packName = '';
  let packFmp4 = false;
  let packLine = '';
  // One string built by appending (V8 ropes), flattened once at the end.
  let body = '';
  for (const e of p.entries) {
    if (e.discontinuity) body += '#EXT-X-DISCONTINUITY\n';
    while (nextEvent < events.length && events[nextEvent]!.startMs < e.startMs + e.durationMs) body += dateRange(events[nextEvent++]!) + '\n';
    // An EXT-X-MAP applies until the next one (RFC 8216 4.3.2.5): TS segments after fMP4 ones
    // (a camera switched container) get the MPEG-TS initialization section, PAT + PMT (3.2).
    const map = e.segment ? (e.segment.initId ?? (initId !== undefined ? TS_MAP : undefined)) : undefined;
    if (map !== undefined && map !== initId) {
      // The init section is clear (RFC 8216 4.3.2.5: an EXT-X-KEY applies to the MAPs after
      // it): METHOD=NONE first while a key is in force, then the segment's key again.
      if (keyId) body += '#EXT-X-KEY:METHOD=NONE\n';
      keyId = '';
      initId = map;
      body += `#EXT-X-MAP:URI=${quoted(map === TS_MAP ? `init/${TS_INIT_NAME}` : initUri(map))}\n`;
    }
    if (e.segment && (e.segment.keyId !== keyId || e.segment.iv !== iv)) {
      // Every segment has its own IV, the key changes hourly: the tag's head is built once per key.
      if (e.segment.keyId !== keyId) keyHead = `#EXT-X-KEY:METHOD=AES-128,URI=${quoted(keyUri(e.segment.keyId))},IV=0x`;
      keyId = e.segment.keyId;
      iv = e.segment.iv;
      body += `${keyHead}${iv}\n`;
    }
    if (e.durationMs !== extinfMs) {
      extinfMs = e.durationMs;
      extinf = `#EXTINF:${seconds(extinfMs)},\n`;
    }
    body += `#EXT-X-PROGRAM-DATE-TIME:${pdt(e.startMs)}\n${extinf}`;
    const pack = e.segment?.pack;
    // A packed segment is its own byte range of the pack (always with its offset: packs interleave with hot segments).
    if (pack) {
      const fmp4 = e.segment!.initId !== undefined;
      if (pack.name !== packName || fmp4 !== packFmp4) {
        packName = pack.name;
        packFmp4 = fmp4;
        packLine = `\n${packUri(packName, fmp4)}\n`;
      }
      body += `#EXT-X-BYTERANGE:${pack.length}@${pack.offset}${packLine}`;
    } else body += e.segment ? segmentUri(e) + '\n' : `#EXT-X-GAP\n${gapUri(e.seq)}\n`;
  }
  out.push(body + (p.ended ? '#EXT-X-ENDLIST\n' : ''));
  return out.join('\n');
}
