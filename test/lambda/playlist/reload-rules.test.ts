import { describe, expect, it } from 'vitest';
import { INDEX_WRITE_MARGIN_MS, type SegmentIndex, type SegmentSummary } from '../../../lambda/index/segment-index.ts';
import { buildSessionPlaylist } from '../../../lambda/playlist/build-session-playlist.ts';

const T0 = 1_767_225_600_000;
const SEGMENT_MS = 2000;
const SETTINGS = { targetDurationSeconds: 2, liveWindowSegments: 5 };
/** The API's clock runs this far from the indexer's, at most (the margin covers it and the write's own time). */
const MAX_SKEW_MS = 200;

interface Upload extends SegmentSummary {
  /** When the item can be read (its write finished), on the indexer's clock; Infinity: never uploaded. */
  visibleMs: number;
}

interface Parsed {
  mediaSequence: number;
  discontinuitySequence: number;
  uris: string[];
  ended: boolean;
  body: string;
}

function parse(body: string): Parsed {
  const num = (tag: string) => Number(new RegExp(`^#${tag}:(\\d+)$`, 'm').exec(body)?.[1] ?? 0);
  return {
    mediaSequence: num('EXT-X-MEDIA-SEQUENCE'),
    discontinuitySequence: num('EXT-X-DISCONTINUITY-SEQUENCE'),
    uris: body.split('\n').filter((l) => l.startsWith('segments/')),
    ended: body.includes('#EXT-X-ENDLIST'),
    body,
  };
}

/**
 * A camera's recording as the index sees it: runs of 2 s segments (the next run after a
 * restart that kept its seq, an idle spell, or a restart that lost its seq), each segment
 * indexed after it ended with a delay that is mostly short and sometimes long (a retried
 * upload), some never; some trials start with items from before indexedMs was kept.
 */
function camera(rand: () => number): Upload[] {
  const out: Upload[] = [];
  let startMs = T0;
  let seq = 100;
  let discSeq = 1;
  const runs = 1 + Math.floor(rand() * 3);
  const unstamped = rand() < 0.15 ? 1 + Math.floor(rand() * 4) : 0;
  for (let r = 0; r < runs; r++) {
    if (r > 0) {
      discSeq++;
      const how = rand();
      if (how < 0.4)
        startMs += Math.floor(rand() * 40_000); // idle spell or restart, seq kept
      else seq = Math.floor(startMs / 1000); // lost state: seq from the clock
    }
    const length = 3 + Math.floor(rand() * 8);
    for (let i = 0; i < length; i++, seq++, startMs += SEGMENT_MS) {
      const endMs = startMs + SEGMENT_MS;
      const base = { startMs, durationMs: SEGMENT_MS, seq, discSeq, keyId: 'ab'.repeat(16), iv: seq.toString(16).padStart(32, '0') };
      if (out.length < unstamped) {
        out.push({ ...base, visibleMs: Number.NEGATIVE_INFINITY });
        continue;
      }
      const p = rand();
      if (p < 0.05) continue; // never uploaded
      const delay = p < 0.75 ? 50 + rand() * 350 : p < 0.95 ? 400 + rand() * 5600 : 6000 + rand() * 14_000;
      const indexedMs = Math.round(endMs + delay);
      out.push({ ...base, indexedMs, visibleMs: indexedMs + Math.round(rand() * (INDEX_WRITE_MARGIN_MS - MAX_SKEW_MS - 1)) });
    }
  }
  return out;
}

/** The index at a moment: what was visible then (ascending by startMs, as DynamoDB's sort key). */
function indexAt(uploads: readonly Upload[], atMs: number): SegmentIndex {
  const visible = uploads.filter((u) => u.visibleMs <= atMs).sort((a, b) => a.startMs - b.startMs);
  return {
    newestSegments: async (_d: string, count: number) => visible.slice(-count),
    querySegments: async (_d: string, from: number, to: number) => ({ items: visible.filter((u) => u.startMs >= from && u.startMs < to) }),
    queryEvents: async () => [],
  } as unknown as SegmentIndex;
}

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/**
 * What players depend on across reloads of one playlist, checked on random recordings with
 * out-of-order, late and missing uploads, restarts and idle spells, the API clock a little
 * off the indexer's, and reads that see a write up to the margin after its stamp.
 */
describe('playlists that players reload keep RFC 8216 6.2.2 across out-of-order uploads (random recordings)', () => {
  it('LIVE: MEDIA-SEQUENCE and DISCONTINUITY-SEQUENCE never go back; a listed number keeps its URI and never vanishes from the end', async () => {
    const rand = random(11);
    for (let trial = 0; trial < 150; trial++) {
      const uploads = camera(rand);
      const skew = Math.round((rand() * 2 - 1) * MAX_SKEW_MS);
      const lastMs = Math.max(...uploads.map((u) => u.startMs)) + 40_000;
      const claims = { deviceId: 'cam', mode: 'LIVE', issuedAtSeconds: T0 / 1000, expiresAtSeconds: T0 / 1000 + 43_200 } as const;
      let prev: Parsed | undefined;
      for (let t = T0; t < lastMs; t += 200 + Math.round(rand() * 1300)) {
        const cur = parse((await buildSessionPlaylist(claims, indexAt(uploads, t), SETTINGS, t + skew)).body);
        const at = `trial ${trial} at +${t - T0} ms`;
        if (prev) {
          expect(cur.mediaSequence, `${at}: MEDIA-SEQUENCE\n${prev.body}\n---\n${cur.body}`).toBeGreaterThanOrEqual(prev.mediaSequence);
          expect(cur.discontinuitySequence, `${at}: DISCONTINUITY-SEQUENCE`).toBeGreaterThanOrEqual(prev.discontinuitySequence);
          const last = cur.mediaSequence + cur.uris.length - 1;
          prev.uris.forEach((uri, i) => {
            const n = prev!.mediaSequence + i;
            if (n < cur.mediaSequence) return;
            expect(n, `${at}: ${n} vanished from the end\n${prev!.body}\n---\n${cur.body}`).toBeLessThanOrEqual(last);
            expect(cur.uris[n - cur.mediaSequence], `${at}: number ${n} changed its URI\n${prev!.body}\n---\n${cur.body}`).toBe(uri);
          });
        }
        prev = cur;
      }
    }
  });

  it('LIVE_REPLAY: every listed position keeps its URI and the list only grows; the version with ENDLIST already holds everything indexed in time', async () => {
    const rand = random(23);
    for (let trial = 0; trial < 150; trial++) {
      const uploads = camera(rand);
      const skew = Math.round((rand() * 2 - 1) * MAX_SKEW_MS);
      const firstMs = uploads[0]!.startMs;
      const lastMs = Math.max(...uploads.map((u) => u.startMs));
      const issuedMs = Math.floor((firstMs + rand() * (lastMs - firstMs)) / 1000) * 1000;
      const endMs = Math.round(firstMs + rand() * (lastMs + 10_000 - firstMs));
      const claims = {
        deviceId: 'cam',
        mode: 'LIVE_REPLAY',
        startMs: firstMs - 1000,
        endMs,
        issuedAtSeconds: issuedMs / 1000,
        expiresAtSeconds: issuedMs / 1000 + 43_200,
      } as const;
      let prev: Parsed | undefined;
      let firstEnded: Parsed | undefined;
      for (let t = issuedMs; t < lastMs + 40_000; t += 200 + Math.round(rand() * 1300)) {
        const cur = parse((await buildSessionPlaylist(claims, indexAt(uploads, t), SETTINGS, t + skew)).body);
        const at = `trial ${trial} at +${t - T0} ms`;
        if (prev) {
          expect(cur.uris.length, `${at}: the list shrank\n${prev.body}\n---\n${cur.body}`).toBeGreaterThanOrEqual(prev.uris.length);
          expect(cur.uris.slice(0, prev.uris.length), `${at}: a position changed its URI\n${prev.body}\n---\n${cur.body}`).toEqual(prev.uris);
        }
        if (cur.ended) firstEnded ??= cur;
        prev = cur;
      }
      // A player stops reloading at the first version with ENDLIST: whatever a later version adds
      // was indexed after late uploads had their two target durations (plus the write margin).
      expect(firstEnded, `trial ${trial}: the range ended`).toBeDefined();
      const boundMs = endMs + 2 * SETTINGS.targetDurationSeconds * 1000;
      for (const uri of prev!.uris.slice(firstEnded!.uris.length)) {
        const m = /^segments\/(\d+)-(\d+)\.ts$/.exec(uri);
        if (!m) continue; // a gap: its segment never landed in time
        const u = uploads.find((x) => x.startMs === Number(m[1]))!;
        expect(
          u.indexedMs ?? Number.NEGATIVE_INFINITY,
          `trial ${trial}: ${uri} was indexed in time but is missing from the ENDLIST version\n${firstEnded!.body}`,
        ).toBeGreaterThan(boundMs);
      }
    }
  });
});
