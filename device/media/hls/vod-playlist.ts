import { targetDurationSeconds } from '../../../contract/index.ts';

/** One media segment line group of a VOD playlist. */
export interface PlaylistSegment {
  uri: string;
  durationSeconds: number;
  discontinuity: boolean;
  /** AES-128 IV (16 bytes) when the segment is encrypted. */
  iv?: Uint8Array;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * An RFC 8216 VOD media playlist: EXT-X-TARGETDURATION fixed to the configured segment
 * length (raised to the longest segment when a GOP outran it, as 4.3.3.1 requires),
 * EXTINF per segment, EXT-X-KEY (METHOD=AES-128, URI, explicit IV) before each encrypted
 * segment, EXT-X-DISCONTINUITY where the stream was cut, ENDLIST.
 */
export function buildVodPlaylist(segments: readonly PlaylistSegment[], opts: { targetSeconds: number; keyUri?: string }): string {
  const longest = segments.reduce((m, s) => Math.max(m, s.durationSeconds), 0);
  const target = Math.max(targetDurationSeconds(opts.targetSeconds), Math.round(longest));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  segments.forEach((s, i) => {
    if (s.discontinuity && i > 0) lines.push('#EXT-X-DISCONTINUITY');
    if (s.iv && opts.keyUri) lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="${opts.keyUri}",IV=0x${hex(s.iv)}`);
    lines.push(`#EXTINF:${s.durationSeconds.toFixed(3)},`, s.uri);
  });
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}
