import type { RequestCounts, RequestVector } from '../cost/request-counts.ts';
import type { MeteredRequest } from './request-meter.ts';

/** Which in-process server a metered request reached. */
export interface StackPorts {
  readonly front: number;
  readonly s3rver: number;
  readonly dynalite: number;
  readonly api: number;
}

export interface MeasuredTotals {
  segmentPuts: number;
  segmentPuts200: number;
  segmentPuts412: number;
  segmentPutsOther: number;
  keyPuts: number;
  eventPuts: number;
  /** Objects s3rver stored (one S3 event each, so one indexer invocation each). */
  objectsCreated: number;
  segmentObjectsCreated: number;
  indexerS3Gets: number;
  /** HeadObject/GetObject of segment objects (the indexer reads each segment's metadata). */
  segmentS3Gets: number;
  dynamoWrites: number;
  dynamoReads: number;
  apiRequests: number;
  /** The compactor's own requests (its clients name it in their user agent). */
  compactor: {
    /** GETs of hot segment objects (each packed segment is read once). */
    segmentGets: number;
    /** PUT/POST on packs/ (one PUT, or multipart create, parts, complete). */
    packWrites: number;
    /** GETs of packs: the local read-back check (the cloud verifies from S3's checksums instead). */
    packReadBacks: number;
    /** DeleteObjects requests (S3 bills no DELETE). */
    deletes: number;
    dynamoWrites: number;
    dynamoReads: number;
  };
}

const DYNAMO_WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const DYNAMO_READ_OPS = new Set(['Query', 'GetItem', 'BatchGetItem', 'Scan', 'TransactGetItems']);

const folderOf = (url: string): string | undefined => /^\/[^/?]+\/(segments|keys|events|packs)\//.exec(url)?.[1];
/** What local-stack.ts COMPACTOR_USER_AGENT puts in the compactor's user agent. */
const COMPACTOR = /camrec-compactor/;

/** Totals over the requests metered while the agents recorded. Pure. */
export function measureTotals(requests: readonly MeteredRequest[], ports: StackPorts): MeasuredTotals {
  const t: MeasuredTotals = {
    segmentPuts: 0,
    segmentPuts200: 0,
    segmentPuts412: 0,
    segmentPutsOther: 0,
    keyPuts: 0,
    eventPuts: 0,
    objectsCreated: 0,
    segmentObjectsCreated: 0,
    indexerS3Gets: 0,
    segmentS3Gets: 0,
    dynamoWrites: 0,
    dynamoReads: 0,
    apiRequests: 0,
    compactor: { segmentGets: 0, packWrites: 0, packReadBacks: 0, deletes: 0, dynamoWrites: 0, dynamoReads: 0 },
  };
  /** The local S3 front HEADs s3rver before each conditional PUT it lets through (its If-None-Match emulation); S3 does not bill that, so it is taken off the reads. */
  let frontChecks = 0;
  let frontSegmentChecks = 0;
  for (const r of requests) {
    const folder = folderOf(r.url);
    if (COMPACTOR.test(r.userAgent)) {
      const c = t.compactor;
      if (r.port === ports.s3rver) {
        if (r.method === 'POST' && /[?&]delete/.test(r.url)) c.deletes++;
        else if (folder === 'packs' && (r.method === 'PUT' || r.method === 'POST')) c.packWrites++;
        else if (folder === 'packs' && r.method === 'GET') c.packReadBacks++;
        else if (folder === 'segments' && r.method === 'GET') c.segmentGets++;
      } else if (r.port === ports.dynalite && r.target) {
        const op = r.target.split('.').pop()!;
        if (DYNAMO_WRITE_OPS.has(op)) c.dynamoWrites++;
        else if (DYNAMO_READ_OPS.has(op)) c.dynamoReads++;
      }
      continue;
    }
    if (r.port === ports.front && r.method === 'PUT' && (r.status === 200 || r.status === 412)) {
      frontChecks++;
      if (folder === 'segments') frontSegmentChecks++;
    }
    if (r.port === ports.front && r.method === 'PUT') {
      if (folder === 'segments') {
        t.segmentPuts++;
        if (r.status === 200) t.segmentPuts200++;
        else if (r.status === 412) t.segmentPuts412++;
        else t.segmentPutsOther++;
      } else if (folder === 'keys') t.keyPuts++;
      else if (folder === 'events') t.eventPuts++;
    } else if (r.port === ports.s3rver) {
      if (r.method === 'PUT' && r.status === 200) {
        t.objectsCreated++;
        if (folder === 'segments') t.segmentObjectsCreated++;
      } else if ((r.method === 'GET' || r.method === 'HEAD') && folder) {
        t.indexerS3Gets++;
        if (folder === 'segments') t.segmentS3Gets++;
      }
    } else if (r.port === ports.dynalite && r.target) {
      const op = r.target.split('.').pop()!;
      if (DYNAMO_WRITE_OPS.has(op)) t.dynamoWrites++;
      else if (DYNAMO_READ_OPS.has(op)) t.dynamoReads++;
    } else if (r.port === ports.api) t.apiRequests++;
  }
  t.indexerS3Gets = Math.max(0, t.indexerS3Gets - frontChecks);
  t.segmentS3Gets = Math.max(0, t.segmentS3Gets - frontSegmentChecks);
  return t;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The measured counts in the cost model's shape (bench/cost/request-counts.ts). Recording
 * figures are measured; what the soak does not exercise (viewing, Lambda billed time,
 * byte sizes) is carried over from the design counts and said so in the notes.
 */
export function toRequestCounts(
  t: MeasuredTotals,
  objects: { segments: number; keys: number; events: number; packs: number; packedSegments: number; packRuns: number },
  design: RequestCounts,
  when: Date,
  runLabel: string,
): RequestCounts {
  const segs = Math.max(1, objects.segments);
  // Writes are not attributed per object by the meter: key and event objects are charged
  // the design's write count, the rest goes to segments.
  const keyWrites = objects.keys * design.recording.perKeyRotation.dynamoWriteUnits;
  const eventWrites = objects.events * design.recording.perEvent.dynamoWriteUnits;
  const perSegment: RequestVector = {
    s3Put: round(t.segmentPuts / segs),
    s3Get: round(t.segmentS3Gets / segs),
    lambdaInvocations: round(t.segmentObjectsCreated / segs),
    lambdaMs: design.recording.perSegment.lambdaMs,
    dynamoWriteUnits: round(Math.max(0, t.dynamoWrites - keyWrites - eventWrites) / segs),
    dynamoReadUnits: 0,
    apiRequests: 0,
    kmsDecrypts: 0,
  };
  const perKey: RequestVector = {
    ...design.recording.perKeyRotation,
    s3Put: objects.keys ? round(t.keyPuts / objects.keys) : design.recording.perKeyRotation.s3Put,
  };
  const perEvent: RequestVector = {
    ...design.recording.perEvent,
    s3Put: objects.events ? round(t.eventPuts / objects.events) : design.recording.perEvent.s3Put,
  };
  const c = t.compactor;
  const packs = Math.max(1, objects.packs);
  const designCompaction = design.compaction!;
  // Per pack run: the 2 big items per pack (pack, checksums) and the read of the hour's segment items are sized in the cost model; these are the rest.
  const compaction: RequestCounts['compaction'] = {
    perSegment: { ...designCompaction.perSegment, s3Get: round(c.segmentGets / Math.max(1, objects.packedSegments)) },
    perPack: {
      ...designCompaction.perPack,
      s3Put: round(c.packWrites / packs),
      lambdaInvocations: round(objects.packRuns / packs),
      dynamoWriteUnits: round(Math.max(0, c.dynamoWrites - 2 * objects.packs) / packs),
      dynamoReadUnits: round(Math.max(0, c.dynamoReads - objects.packRuns) / packs),
    },
    lambdaMemoryMb: designCompaction.lambdaMemoryMb,
    lambdaMsPerGib: designCompaction.lambdaMsPerGib,
  };
  return {
    label: `measured by the soak, ${when.toISOString().slice(0, 10)}`,
    notes: [
      `${runLabel}: ${objects.segments} segments, ${objects.keys} wrapped keys, ${objects.events} event records stored.`,
      `S3 PUTs of segments that reached the S3 front (incl. retries, 412s and 403 ExpiredToken during the credential outage): ${t.segmentPuts} (${t.segmentPuts200} x 200, ${t.segmentPuts412} x 412, ${t.segmentPutsOther} other) -> ${perSegment.s3Put} per segment. Injected 503s and refused connections never reached S3 and are not counted.`,
      `Indexer invocations = objects created (one S3 event each): ${t.objectsCreated}; indexer S3 reads (HeadObject/GetObject): ${t.indexerS3Gets}; DynamoDB writes: ${t.dynamoWrites} (key and event objects charged ${design.recording.perKeyRotation.dynamoWriteUnits} write each, the rest per segment; items are under 1 KB, 1 write unit each).`,
      `Wrapped-key PUTs ${t.keyPuts} for ${objects.keys} keys; event PUTs ${t.eventPuts} for ${objects.events} events.`,
      `Compaction (its own requests, told apart by user agent): ${objects.packRuns} packer runs wrote ${objects.packs} packs of ${objects.packedSegments} segments; ${c.segmentGets} GETs of hot segments, ${c.packWrites} PUT/POSTs of packs, ${c.deletes} DeleteObjects (free), ${c.dynamoWrites} DynamoDB writes and ${c.dynamoReads} reads. The local compactor also read each pack back (${c.packReadBacks} GETs), which the cloud's does not (it verifies from S3's checksums): not counted. The soak's packs are small (a short local pack period): the cost model sizes a pack's parts and its items' units from an hour of the scenario's bitrate.`,
      'Not measured by the soak, carried over from the design counts: lambdaMs, compaction.lambdaMsPerGib, viewing.*, bytes.*.',
    ],
    lambdaMemoryMb: design.lambdaMemoryMb,
    recording: { perSegment, perKeyRotation: perKey, perEvent },
    viewing: design.viewing,
    compaction,
    bytes: design.bytes,
  };
}
