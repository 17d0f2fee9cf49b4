import type { FaultOutcome } from './backlog-watch.ts';
import type { CameraLedger } from './camera-ledger.ts';
import type { CameraStore } from './stored-inventory.ts';

/** One camera's line of the verdict. Pure: computed from the ledger, the store and the spool left at the end. */
export interface CameraResult {
  id: string;
  recorded: number;
  /** Recorded and present in both the bucket and the index. */
  uploaded: number;
  /** Recorded, then dropped because the spool was at its cap (the only allowed loss). */
  droppedAtCap: number;
  /** Dropped for another reason (no room anywhere, rejected by S3): counted as loss. */
  droppedOther: number;
  /** Recorded, not uploaded, still in the spool when the agent stopped (uploads on its next start). */
  pendingInSpool: number;
  /** Recorded and neither stored nor dropped nor pending. */
  lost: number;
  /** In the bucket but not in the index. */
  notIndexed: number;
  /** Same seq twice in the bucket (hot and packed, or two packs) or index or a history read, or the same media (decrypted SHA-256) twice. */
  duplicated: number;
  corrupt: number;
  probed: number;
  /** In the bucket but never logged as recorded (a kill between the spool write and the log line). */
  unlogged: number;
  maxBacklogSegments: number;
  maxSpoolBytes: number;
  kills: number;
  /** Examples for the report: seq and why. */
  problems: string[];
}

export function compareCamera(
  ledger: CameraLedger,
  store: CameraStore,
  pendingSeqs: ReadonlySet<number>,
  backlog: { maxSegments: number; maxSpoolBytes: number },
  kills: number,
): CameraResult {
  const problems: string[] = [];
  const bucketBySeq = new Map<number, string[]>();
  for (const s of store.segments) bucketBySeq.set(s.seq, [...(bucketBySeq.get(s.seq) ?? []), s.key]);
  const indexCount = new Map<number, number>();
  for (const q of store.indexedSeqs) indexCount.set(q, (indexCount.get(q) ?? 0) + 1);
  // What a playlist lists: packed history merged with hot segments.
  const listedCount = new Map<number, number>();
  for (const q of store.listedSeqs) listedCount.set(q, (listedCount.get(q) ?? 0) + 1);

  let uploaded = 0,
    droppedAtCap = 0,
    droppedOther = 0,
    pending = 0,
    lost = 0,
    notIndexed = 0;
  for (const [seq, key] of ledger.recorded) {
    const inBucket = bucketBySeq.has(seq);
    const inIndex = indexCount.has(seq);
    if (inBucket && inIndex && !listedCount.has(seq)) {
      notIndexed++;
      problems.push(`seq ${seq}: stored and indexed, but not listed when history is read`);
    } else if (inBucket && inIndex) uploaded++;
    else if (inBucket) {
      notIndexed++;
      problems.push(`seq ${seq}: in the bucket, not in the index`);
    } else if (ledger.droppedAtCap.has(seq)) droppedAtCap++;
    else if (ledger.droppedOther.has(key)) {
      droppedOther++;
      problems.push(`seq ${seq}: dropped (not at the spool cap)`);
    } else if (pendingSeqs.has(seq)) pending++;
    else {
      lost++;
      problems.push(`seq ${seq}: recorded as ${key}, not in the bucket, not dropped, not in the spool`);
    }
  }

  let duplicated = 0;
  for (const [seq, keys] of bucketBySeq) {
    if (keys.length > 1) {
      duplicated += keys.length - 1;
      problems.push(`seq ${seq}: ${keys.length} objects (${keys.join(', ')})`);
    }
  }
  for (const [seq, n] of indexCount) {
    if (n > 1) {
      duplicated += n - 1;
      problems.push(`seq ${seq}: ${n} index items`);
    }
  }
  for (const [seq, n] of listedCount) {
    if (n > 1) {
      duplicated += n - 1;
      problems.push(`seq ${seq}: listed ${n} times when history is read`);
    }
  }
  const byHash = new Map<string, string[]>();
  for (const s of store.segments) if (s.plainSha256) byHash.set(s.plainSha256, [...(byHash.get(s.plainSha256) ?? []), s.key]);
  for (const keys of byHash.values()) {
    if (keys.length > 1) {
      duplicated += keys.length - 1;
      problems.push(`same media under ${keys.length} keys: ${keys.join(', ')}`);
    }
  }
  const corruptSegs = store.segments.filter((s) => s.corrupt);
  for (const s of corruptSegs.slice(0, 5)) problems.push(`${s.key}: ${s.corrupt}`);
  for (const q of indexCount.keys()) if (!bucketBySeq.has(q)) problems.push(`seq ${q}: indexed but no object in the bucket`);

  const recordedKeys = new Set(ledger.recorded.values());
  return {
    id: ledger.id,
    recorded: ledger.recorded.size,
    uploaded,
    droppedAtCap,
    droppedOther,
    pendingInSpool: pending,
    lost,
    notIndexed,
    duplicated,
    corrupt: corruptSegs.length,
    probed: store.segments.filter((s) => s.probed).length,
    unlogged: store.segments.filter((s) => !recordedKeys.has(s.key)).length,
    maxBacklogSegments: backlog.maxSegments,
    maxSpoolBytes: backlog.maxSpoolBytes,
    kills,
    problems,
  };
}

/** The pass line: nothing lost while the spool had room, nothing duplicated, nothing corrupt, everything stored is indexed. */
export function passes(r: CameraResult): boolean {
  return r.lost === 0 && r.droppedOther === 0 && r.notIndexed === 0 && r.duplicated === 0 && r.corrupt === 0 && r.recorded > 0;
}

export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function formatCameraTable(results: CameraResult[]): string {
  const total = (k: keyof CameraResult) => results.reduce((s, r) => s + (r[k] as number), 0);
  const rows = results.map((r) => [
    r.id,
    r.recorded,
    r.uploaded,
    r.droppedAtCap,
    r.pendingInSpool,
    r.lost,
    r.notIndexed,
    r.duplicated,
    `${r.corrupt}/${r.probed}`,
    r.unlogged,
    r.maxBacklogSegments,
    (r.maxSpoolBytes / 1048576).toFixed(1),
    r.kills,
    passes(r) ? 'pass' : 'FAIL',
  ]);
  rows.push([
    'total',
    total('recorded'),
    total('uploaded'),
    total('droppedAtCap'),
    total('pendingInSpool'),
    total('lost'),
    total('notIndexed'),
    total('duplicated'),
    `${total('corrupt')}/${total('probed')}`,
    total('unlogged'),
    Math.max(...results.map((r) => r.maxBacklogSegments)),
    (Math.max(...results.map((r) => r.maxSpoolBytes)) / 1048576).toFixed(1),
    total('kills'),
    results.every(passes) ? 'pass' : 'FAIL',
  ]);
  return formatTable(
    [
      'camera',
      'recorded',
      'uploaded',
      'dropped at spool cap',
      'pending in spool',
      'lost',
      'not indexed',
      'duplicated',
      'corrupt/probed',
      'unlogged',
      'max backlog (segs)',
      'max spool MiB',
      'kills',
      'verdict',
    ],
    rows,
  );
}

export function formatFaultTable(faults: FaultOutcome[]): string {
  return formatTable(
    ['fault', 'camera', 'start s', 'end s', 'recovery s', 'note'],
    faults.map((f) => [
      f.label,
      f.camera ?? 'all',
      f.startS.toFixed(1),
      f.endS.toFixed(1),
      f.recoveryS === undefined ? 'not drained' : f.recoveryS.toFixed(1),
      f.note,
    ]),
  );
}
