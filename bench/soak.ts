/**
 * npm run soak [-- --minutes M --cameras N]: N cameras (`camrec agent` children) on the
 * local stack for M minutes under a fault schedule (network cut, S3 503s, credential
 * provider down past expiry, kill -9s, one during a spool write, a spool at its cap),
 * then every recorded seq checked against the bucket and the index. Exit 1 when any
 * segment is lost (while the spool had room), duplicated or corrupt. Writes the measured
 * request counts to bench/out/soak-requests.json for `npm run cost`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SOAK_COUNTS_PATH } from './cost/load-request-counts.ts';
import { runSoak } from './soak/run-soak.ts';
import { SoakArgsError } from './soak/soak-errors.ts';
import { parseSoakArgs } from './soak/soak-options.ts';
import { formatCameraTable, formatFaultTable } from './soak/soak-report.ts';

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseSoakArgs(process.argv.slice(2), SOAK_COUNTS_PATH);
  } catch (e) {
    if (e instanceof SoakArgsError) {
      process.stderr.write(`soak: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const r = await runSoak(opts);
  const print = (l = '') => process.stdout.write(`${l}\n`);
  print();
  print(formatCameraTable(r.cameras));
  print(
    '(recorded = segments the agent logged as recorded; uploaded = in the bucket and the index; every stored segment decrypted and checked for 0x47 every 188 bytes; corrupt/probed = corrupt of all, over those also read by ffprobe)',
  );
  print();
  print(formatFaultTable(r.faults));
  print();
  for (const c of r.cameras) {
    const a = c.problems.slice(0, 8);
    if (a.length) print(`${c.id}: ${a.join('; ')}${c.problems.length > a.length ? `; ... ${c.problems.length - a.length} more` : ''}`);
  }
  print(
    `failed upload attempts by kind (agent logs): ${
      Object.entries(r.failureKinds)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }`,
  );
  const t = r.totals;
  print(
    `requests: segment PUTs at S3 ${t.segmentPuts} (${t.segmentPuts200} x 200, ${t.segmentPuts412} x 412, ${t.segmentPutsOther} other), key PUTs ${t.keyPuts}, event PUTs ${t.eventPuts}, indexer invocations ${t.objectsCreated}, indexer S3 reads ${t.indexerS3Gets}, DynamoDB writes ${t.dynamoWrites}`,
  );
  const ps = r.requestCounts.recording.perSegment;
  print(`per segment: S3 PUT ${ps.s3Put}, S3 GET ${ps.s3Get}, indexer invocations ${ps.lambdaInvocations}, DynamoDB write units ${ps.dynamoWriteUnits}`);
  const c = r.compaction;
  const tc = t.compactor;
  print(
    `compaction: ${c.runs} packer runs wrote ${c.packs} packs of ${c.packedSegments} segments (${c.unpackable} unpackable); its requests: ${tc.segmentGets} hot GETs (${(tc.segmentGets / Math.max(1, c.packedSegments)).toFixed(3)} per segment packed), ${tc.packWrites} pack PUT/POSTs (${(tc.packWrites / Math.max(1, c.packs)).toFixed(2)} per pack), ${tc.deletes} DeleteObjects, DynamoDB ${tc.dynamoWrites} writes / ${tc.dynamoReads} reads (${(tc.dynamoWrites / Math.max(1, c.packs)).toFixed(2)} / ${(tc.dynamoReads / Math.max(1, c.packs)).toFixed(2)} per pack); local read-back GETs ${tc.packReadBacks} (the cloud verifies from S3's checksums)`,
  );
  if (opts.requestsOut) {
    await mkdir(dirname(opts.requestsOut), { recursive: true });
    await writeFile(opts.requestsOut, `${JSON.stringify(r.requestCounts, null, 2)}\n`);
    print(`wrote ${opts.requestsOut} ("${r.requestCounts.label}")`);
  }
  const dropped = r.cameras.reduce((s, c) => s + c.droppedAtCap, 0);
  const lost = r.cameras.reduce((s, c) => s + c.lost + c.droppedOther, 0);
  const dup = r.cameras.reduce((s, c) => s + c.duplicated, 0);
  const corrupt = r.cameras.reduce((s, c) => s + c.corrupt, 0);
  const notIndexed = r.cameras.reduce((s, c) => s + c.notIndexed, 0);
  print(
    `${r.pass ? 'PASS' : 'FAIL'}: ${lost} lost, ${dup} duplicated, ${corrupt} corrupt, ${notIndexed} not indexed (${dropped} dropped at spool cap, allowed)`,
  );
  return r.pass ? 0 : 1;
}

process.exitCode = await main();
