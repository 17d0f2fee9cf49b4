import { describe, expect, it } from 'vitest';
import { applyLogLine, newLedger } from '../../bench/soak/camera-ledger.ts';
import { compareCamera, passes } from '../../bench/soak/soak-report.ts';
import { FaultKind, credentialLifetimeSeconds, refreshAheadSeconds, soakSchedule } from '../../bench/soak/soak-schedule.ts';
import type { CameraStore, StoredSegment } from '../../bench/soak/stored-inventory.ts';
import { isWholeTs } from '../../bench/soak/stored-inventory.ts';

const line = (msg: string, fields: Record<string, unknown> = {}) => JSON.stringify({ time: '2026-01-01T00:00:00.000Z', level: 'debug', msg, ...fields });
const seg = (seq: number, over: Partial<StoredSegment> = {}): StoredSegment => ({
  key: `segments/cam/2026/01/01/00/${1000 + seq}-${seq}.ts`,
  seq,
  startMs: 1000 + seq,
  bytes: 188,
  plainSha256: `h${seq}`,
  corrupt: undefined,
  probed: true,
  ...over,
});
const store = (segments: StoredSegment[], indexedSeqs = segments.map((s) => s.seq), listedSeqs = indexedSeqs): CameraStore => ({
  segments,
  indexedSeqs,
  listedSeqs,
  packs: 0,
  packedSegments: 0,
  keyObjects: 1,
  eventObjects: 0,
});
const backlog = { maxSegments: 3, maxSpoolBytes: 1 };

describe('soak schedule', () => {
  it('scales with the run: a 10 minute run has a 2 minute cut, 30 s of 503 and an IoT outage longer than the credential lifetime', () => {
    const runMs = 600_000;
    const s = soakSchedule(runMs, 8);
    expect(s.find((f) => f.kind === FaultKind.NETWORK_CUT)!.durationMs).toBe(120_000);
    expect(s.find((f) => f.kind === FaultKind.S3_503)!.durationMs).toBe(30_000);
    const iot = s.find((f) => f.kind === FaultKind.IOT_DOWN)!;
    expect(iot.durationMs).toBeGreaterThan(credentialLifetimeSeconds(runMs) * 1000);
    expect(s.every((f) => f.atMs + f.durationMs <= runMs)).toBe(true);
    expect(s.filter((f) => f.kind === FaultKind.KILL || f.kind === FaultKind.KILL_MID_SPOOL_WRITE).length).toBeGreaterThanOrEqual(4);
    const mid = s.find((f) => f.kind === FaultKind.KILL_MID_SPOOL_WRITE)!;
    const cut = s.find((f) => f.kind === FaultKind.NETWORK_CUT)!;
    expect(mid.atMs).toBeGreaterThan(cut.atMs);
    expect(mid.atMs).toBeLessThan(cut.atMs + cut.durationMs);
    expect(refreshAheadSeconds(120)).toBeLessThan(120);
  });
});

describe('camera ledger', () => {
  it('reads recorded, dropped-at-cap, uploaded and failures from agent log lines, and the control address', () => {
    const l = newLedger('cam');
    applyLogLine(l, line('segment recorded', { objectKey: 'k5', seq: 5 }));
    applyLogLine(l, line('spool full: dropped the oldest segment', { objectKey: 'k5', seq: 5 }));
    applyLogLine(l, line('uploaded', { objectKey: 'k6', result: 'created' }));
    applyLogLine(l, line('upload failed; will retry', { objectKey: 'k6', err: { name: 'UploadError', code: 'ECONNREFUSED' } }));
    applyLogLine(l, 'not json at all');
    const r = applyLogLine(l, line('control endpoint', { address: 'http://127.0.0.1:4000' }));
    expect(r.controlAddress).toBe('http://127.0.0.1:4000');
    expect([...l.recorded]).toEqual([[5, 'k5']]);
    expect([...l.droppedAtCap.keys()]).toEqual([5]);
    expect(l.uploaded.get('k6')).toBe('created');
    expect(l.failureKinds.get('ECONNREFUSED')).toBe(1);
    expect(l.otherLines).toBe(1);
  });
});

describe('comparison', () => {
  const ledger = (seqs: number[]) => {
    const l = newLedger('cam');
    for (const q of seqs) l.recorded.set(q, seg(q).key);
    return l;
  };

  it('passes when every recorded seq is stored and indexed once', () => {
    const r = compareCamera(ledger([1, 2, 3]), store([seg(1), seg(2), seg(3)]), new Set(), backlog, 0);
    expect(r).toMatchObject({ recorded: 3, uploaded: 3, lost: 0, duplicated: 0, corrupt: 0 });
    expect(passes(r)).toBe(true);
  });

  it('counts a missing seq as lost, unless it was dropped at the spool cap or is still in the spool', () => {
    const l = ledger([1, 2, 3, 4]);
    l.droppedAtCap.set(2, seg(2).key);
    const r = compareCamera(l, store([seg(1)]), new Set([3]), backlog, 0);
    expect(r).toMatchObject({ uploaded: 1, droppedAtCap: 1, pendingInSpool: 1, lost: 1 });
    expect(passes(r)).toBe(false);
    expect(r.problems.join('\n')).toContain('seq 4');
  });

  it('finds the same seq under two keys, the same media under two keys, and index duplicates', () => {
    const r = compareCamera(
      ledger([1, 2]),
      store([seg(1), seg(1, { key: 'segments/cam/x/1-1.ts', plainSha256: 'other' }), seg(2, { plainSha256: 'h1' })], [1, 2, 2], [1, 2]),
      new Set(),
      backlog,
      0,
    );
    expect(r.duplicated).toBe(3); // seq 1 under two keys, seq 2 indexed twice, media h1 under two keys
    expect(passes(r)).toBe(false);
  });

  it('with packed history: a segment both packed and still hot is duplicated, one listed twice too, one stored but never listed is not indexed', () => {
    const packed = (seq: number) => seg(seq, { key: `continuous-1-0-0123456789abcdef.ts#${seq}`, plainSha256: `p${seq}` });
    const r = compareCamera(
      ledger([1, 2, 3]),
      store([packed(1), packed(2), seg(2, { plainSha256: 'x' }), packed(3)], [1, 2, 3], [1, 1, 2]),
      new Set(),
      backlog,
      0,
    );
    expect(r).toMatchObject({ duplicated: 2, notIndexed: 1 });
    expect(r.problems.join('\n')).toMatch(/seq 1: listed 2 times when history is read/);
    expect(r.problems.join('\n')).toMatch(/seq 3: stored and indexed, but not listed/);
  });

  it('counts corrupt objects and objects missing from the index', () => {
    const r = compareCamera(ledger([1, 2]), store([seg(1, { corrupt: 'bad sync byte' }), seg(2)], [1]), new Set(), backlog, 0);
    expect(r).toMatchObject({ corrupt: 1, notIndexed: 1 });
    expect(passes(r)).toBe(false);
  });

  it('TS check wants whole 188-byte packets each starting 0x47', () => {
    const ok = Buffer.alloc(376);
    ok[0] = 0x47;
    ok[188] = 0x47;
    expect(isWholeTs(ok)).toBe(true);
    expect(isWholeTs(ok.subarray(0, 200))).toBe(false);
    ok[188] = 0x46;
    expect(isWholeTs(ok)).toBe(false);
  });
});
