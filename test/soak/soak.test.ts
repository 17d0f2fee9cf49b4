import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak/run-soak.ts';
import { FaultKind } from '../../bench/soak/soak-schedule.ts';

/**
 * The soak, compressed: 2 cameras (`camrec agent` children) for 90 s on the local stack
 * with the whole fault schedule (network cut, S3 503, IoT provider down past the
 * credentials' expiry, kill -9s incl. one during a spool write, a 1 MiB spool that fills
 * during the cut), with history packed as it runs (10 s pack periods). Every seq the
 * agents recorded must be stored once (hot or in a pack) and listed once when history is
 * read, decrypt to whole TS packets (every 10th also read by ffprobe), or have been
 * dropped at the spool cap.
 */
describe('soak (2 cameras, 90 s, compressed fault schedule)', () => {
  it('loses, duplicates and corrupts nothing while the spool has room', async () => {
    const r = await runSoak({ minutes: 1.5, cameras: 2, segmentSeconds: 2, probeAll: false, keep: false, requestsOut: undefined }, () => {});
    const summary = r.cameras
      .map(
        (c) =>
          `${c.id}: recorded ${c.recorded}, uploaded ${c.uploaded}, dropped at cap ${c.droppedAtCap}, pending ${c.pendingInSpool}, lost ${c.lost}, duplicated ${c.duplicated}, corrupt ${c.corrupt}; ${c.problems.slice(0, 5).join('; ')}`,
      )
      .join('\n');
    for (const c of r.cameras) {
      expect(c.recorded, summary).toBeGreaterThan(20);
      expect(c.lost, summary).toBe(0);
      expect(c.droppedOther, summary).toBe(0);
      expect(c.notIndexed, summary).toBe(0);
      expect(c.duplicated, summary).toBe(0);
      expect(c.corrupt, summary).toBe(0);
      expect(c.probed, summary).toBeGreaterThanOrEqual(Math.floor(c.uploaded / 10));
      expect(c.uploaded + c.droppedAtCap + c.pendingInSpool, summary).toBe(c.recorded);
      expect(c.kills, summary).toBeGreaterThanOrEqual(2);
    }
    expect(r.pass, summary).toBe(true);
    // Every fault ran and the uploads caught up after each.
    const kinds = new Set(r.faults.map((f) => f.label));
    for (const k of [FaultKind.NETWORK_CUT, FaultKind.S3_503, FaultKind.IOT_DOWN, FaultKind.KILL, FaultKind.KILL_MID_SPOOL_WRITE])
      expect(kinds.has(k)).toBe(true);
    expect(r.faults.filter((f) => f.recoveryS === undefined).map((f) => f.label)).toEqual([]);
    // History was packed while the faults ran (late segments in follow-up packs), and all of it after.
    expect(r.compaction.packs, summary).toBeGreaterThan(4);
    expect(r.compaction.unpackable, summary).toBe(0);
    const stored = r.cameras.reduce((n, c) => n + c.uploaded, 0);
    expect(r.compaction.packedSegments, summary).toBeGreaterThanOrEqual(stored);
    // Measured counts in the cost model's shape, compaction included.
    expect(r.requestCounts.label).toMatch(/^measured by the soak/);
    expect(r.requestCounts.recording.perSegment.s3Put).toBeGreaterThanOrEqual(1);
    // One GET per packed segment, plus one per re-upload check (a killed agent PUTs a segment
    // again), plus at most two SDK retries of a GET that failed under load.
    const c = r.compaction;
    const gets = r.requestCounts.compaction!.perSegment.s3Get;
    const why = `${c.packedSegments} packed segments, ${c.reuploadReads} re-upload checks`;
    expect(gets, why).toBeGreaterThanOrEqual((c.packedSegments + c.reuploadReads) / c.packedSegments - 0.001);
    expect(gets, why).toBeLessThanOrEqual((c.packedSegments + c.reuploadReads + 2) / c.packedSegments + 0.001);
    expect(r.totals.compactor.packWrites).toBeGreaterThanOrEqual(r.compaction.packs);
  }, 240_000);
});
