import { targetDurationSeconds } from '../../../contract/index.ts';

/** One media segment line group of a VOD playlist. */
export interface PlaylistSegment {
  uri: string;
  durationSeconds: number;
  discontinuity: boolean;
  /** AES-128 IV (16 bytes) when the segment is encrypted. */
  iv?: Uint8Array;
  /** fMP4: URI of the init section (EXT-X-MAP) the segment needs. */
  mapUri?: string;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * An RFC 8216 VOD media playlist: EXT-X-TARGETDURATION fixed to the configured segment
 * length (raised to the longest segment when a GOP outran it, as 4.3.3.1 requires),
 * EXTINF per segment, EXT-X-KEY (METHOD=AES-128, URI, explicit IV) before each encrypted
 * segment, EXT-X-DISCONTINUITY where the stream was cut, ENDLIST.
 *
 * fMP4: EXT-X-MAP before the first segment that uses an init section and again where it
 * changes. Init sections are clear: an EXT-X-KEY applies to every EXT-X-MAP after it until
 * the next EXT-X-KEY (4.3.2.4), so a MAP that follows a key in force gets
 * `#EXT-X-KEY:METHOD=NONE` in front of it (the next segment's EXT-X-KEY sets the key
 * again). EXT-X-VERSION is the lowest the playlist's tags allow: 3 (IV, decimal EXTINF),
 * 6 with EXT-X-MAP (4.3.2.5, section 7).
 */
export function buildVodPlaylist(segments: readonly PlaylistSegment[], opts: { targetSeconds: number; keyUri?: string }): string {
  const longest = segments.reduce((m, s) => Math.max(m, s.durationSeconds), 0);
  const target = Math.max(targetDurationSeconds(opts.targetSeconds), Math.round(longest));
  const version = segments.some((s) => s.mapUri) ? 6 : 3;
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${version}`, `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  let map: string | undefined;
  let keyInForce = false;
  segments.forEach((s, i) => {
    if (s.discontinuity && i > 0) lines.push('#EXT-X-DISCONTINUITY');
    if (s.mapUri && s.mapUri !== map) {
      if (keyInForce) lines.push('#EXT-X-KEY:METHOD=NONE');
      keyInForce = false;
      lines.push(`#EXT-X-MAP:URI="${s.mapUri}"`);
      map = s.mapUri;
    }
    if (s.iv && opts.keyUri) {
      lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="${opts.keyUri}",IV=0x${hex(s.iv)}`);
      keyInForce = true;
    } else if (keyInForce) {
      lines.push('#EXT-X-KEY:METHOD=NONE');
      keyInForce = false;
    }
    lines.push(`#EXTINF:${s.durationSeconds.toFixed(3)},`, s.uri);
  });
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}
