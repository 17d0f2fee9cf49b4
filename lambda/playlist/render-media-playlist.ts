import { gapUri, keyUri, segmentUri, type PlaylistEntry } from './playlist-entry.ts';

/** RFC 8216 playlist kinds: a sliding LIVE window, a growing EVENT, a fixed VOD. */
export const PlaylistKind = { LIVE: 'LIVE', EVENT: 'EVENT', VOD: 'VOD' } as const;
export type PlaylistKind = (typeof PlaylistKind)[keyof typeof PlaylistKind];

/**
 * EXT-X-VERSION: 3 for floating-point EXTINF (v3) and EXT-X-KEY IV (v2); 8 when the
 * playlist holds an EXT-X-GAP (draft-pantos-hls-rfc8216bis: GAP needs version 8).
 */
export const HlsVersion = { BASE: 3, WITH_GAP: 8 } as const;
export const DATERANGE_CLASS = 'com.camrec.event';

export interface PlaylistEvent {
  eventId: string;
  type: string;
  startMs: number;
  endMs: number;
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
/** EXTINF duration in seconds with millisecond precision. */
const seconds = (ms: number): string => (ms / 1000).toFixed(3);
/** Quoted-string attribute values may not hold '"', CR or LF (RFC 8216 4.2). */
const quoted = (s: string): string => `"${s.replace(/["\r\n]/g, '')}"`;

function dateRange(ev: PlaylistEvent): string {
  return (
    `#EXT-X-DATERANGE:ID=${quoted(`${ev.eventId}`)},CLASS=${quoted(DATERANGE_CLASS)},` +
    `START-DATE=${quoted(iso(ev.startMs))},END-DATE=${quoted(iso(ev.endMs))},X-CAMREC-TYPE=${quoted(ev.type)}`
  );
}

/**
 * Writes a media playlist. Fixed EXT-X-TARGETDURATION from configuration;
 * EXT-X-PROGRAM-DATE-TIME on every entry; EXT-X-KEY with its explicit IV whenever key or
 * IV changes; EXT-X-GAP entries for missing segments; an EXT-X-DATERANGE before the entry
 * during which each event starts (DATERANGE needs a PROGRAM-DATE-TIME, so an empty
 * playlist carries none). Builds one array and joins once: 24 h is 14,400 entries.
 */
export function renderMediaPlaylist(p: MediaPlaylist): string {
  const version = p.entries.some((e) => !e.segment) ? HlsVersion.WITH_GAP : HlsVersion.BASE;
  const out: string[] = ['#EXTM3U', `#EXT-X-VERSION:${version}`, `#EXT-X-TARGETDURATION:${p.targetDurationSeconds}`];
  if (p.kind !== PlaylistKind.LIVE) out.push(`#EXT-X-PLAYLIST-TYPE:${p.kind}`);
  out.push(`#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`);
  if (p.discontinuitySequence > 0) out.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  out.push('#EXT-X-INDEPENDENT-SEGMENTS');

  const events = [...p.events].sort((a, b) => a.startMs - b.startMs);
  let nextEvent = 0;
  let keyLine = '';
  for (const e of p.entries) {
    if (e.discontinuity) out.push('#EXT-X-DISCONTINUITY');
    while (nextEvent < events.length && events[nextEvent]!.startMs < e.startMs + e.durationMs) out.push(dateRange(events[nextEvent++]!));
    if (e.segment) {
      const line = `#EXT-X-KEY:METHOD=AES-128,URI=${quoted(keyUri(e.segment.keyId))},IV=0x${e.segment.iv}`;
      if (line !== keyLine) out.push((keyLine = line));
    }
    out.push(`#EXT-X-PROGRAM-DATE-TIME:${iso(e.startMs)}`);
    out.push(`#EXTINF:${seconds(e.durationMs)},`);
    if (e.segment) out.push(segmentUri(e));
    else out.push('#EXT-X-GAP', gapUri(e.seq));
  }
  if (p.ended) out.push('#EXT-X-ENDLIST');
  out.push('');
  return out.join('\n');
}
