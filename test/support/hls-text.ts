/** Small readers over media playlist text, for assertions. */
export interface PlaylistSegment {
  uri: string;
  durationS: number;
  programDateTimeMs: number | undefined;
  discontinuityBefore: boolean;
  gap: boolean;
}

export function parseMediaPlaylist(text: string): {
  mediaSequence: number;
  segments: PlaylistSegment[];
  dateRanges: string[];
  ended: boolean;
  targetDuration: number;
} {
  const segments: PlaylistSegment[] = [];
  let pending: Partial<PlaylistSegment> = {};
  let mediaSequence = 0;
  let targetDuration = 0;
  const dateRanges: string[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) mediaSequence = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXTINF:')) pending.durationS = parseFloat(line.slice(8));
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pending.programDateTimeMs = Date.parse(line.slice(25));
    else if (line === '#EXT-X-DISCONTINUITY') pending.discontinuityBefore = true;
    else if (line === '#EXT-X-GAP') pending.gap = true;
    else if (line.startsWith('#EXT-X-DATERANGE:')) dateRanges.push(line.slice(17));
    else if (line && !line.startsWith('#')) {
      segments.push({
        uri: line,
        durationS: pending.durationS ?? 0,
        programDateTimeMs: pending.programDateTimeMs,
        discontinuityBefore: pending.discontinuityBefore ?? false,
        gap: pending.gap ?? false,
      });
      pending = {};
    }
  }
  return { mediaSequence, segments, dateRanges, ended: text.includes('#EXT-X-ENDLIST'), targetDuration };
}

/** The seq a segment URI names (`.../{startMs}-{seq}.ts`). */
export const seqOf = (uri: string): number => Number(/-(\d+)\.ts$/.exec(uri)?.[1] ?? NaN);
export const startMsOf = (uri: string): number => Number(/(\d+)-\d+\.ts$/.exec(uri)?.[1] ?? NaN);
