import { execFile } from 'node:child_process';
import { createDecipheriv, createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand as DocQueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  IndexTable,
  SortKeyPrefix,
  checksumSortKey,
  decodePackedSegments,
  packName,
  parseObjectKey,
  parseSegmentMetadata,
  unwrapDataKeyLocally,
  wrappedKeyKey,
  type PackChecksumsItem,
  type PackItem,
} from '../../contract/index.ts';
import { dynamoSegmentIndex } from '../../lambda/index/dynamo-segment-index.ts';

const run = promisify(execFile);
export const FFPROBE = '/usr/bin/ffprobe';
/** MPEG-TS packet layout: 188 bytes, first byte the sync byte 0x47. */
export const TS_PACKET_BYTES = 188;
export const TS_SYNC_BYTE = 0x47;

/** True when `ts` is whole 188-byte packets, each starting with 0x47. */
export function isWholeTs(ts: Uint8Array): boolean {
  if (ts.length === 0 || ts.length % TS_PACKET_BYTES !== 0) return false;
  for (let i = 0; i < ts.length; i += TS_PACKET_BYTES) if (ts[i] !== TS_SYNC_BYTE) return false;
  return true;
}

export interface StoredSegment {
  /** The hot object's key, or `{pack name}#{seq}` for a segment in a pack. */
  readonly key: string;
  readonly seq: number;
  readonly startMs: number;
  readonly bytes: number;
  /** SHA-256 of the decrypted TS (same media under two keys shows as two keys with one hash). */
  plainSha256: string | undefined;
  /** Why the object is not a playable segment (undefined = fine). */
  corrupt: string | undefined;
  probed: boolean;
}

export interface CameraStore {
  /** Hot segment objects and segments in packs: each where it is stored. */
  readonly segments: StoredSegment[];
  /** seq values of the index's seg# items (one per item). */
  readonly indexedSeqs: number[];
  /** seq values a reader of the index lists (hour and pack items merged with hot items), in order. */
  readonly listedSeqs: number[];
  readonly packs: number;
  readonly packedSegments: number;
  readonly keyObjects: number;
  /** Events stored (each a start and, once closed, an end record). */
  readonly eventObjects: number;
}

async function listAll(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) keys.push(o.Key!);
    token = r.NextContinuationToken;
  } while (token);
  return keys.sort();
}

async function getObject(s3: S3Client, bucket: string, key: string): Promise<{ body: Buffer; metadata: Record<string, string> }> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: Buffer.from(await r.Body!.transformToByteArray()), metadata: r.Metadata ?? {} };
}

/** ffprobe must read the TS with no error and find an H.264 stream. */
export async function probeTs(file: string): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'json', file]);
    const codecs = ((JSON.parse(stdout) as { streams?: { codec_name?: string }[] }).streams ?? []).map((s) => s.codec_name);
    if (!codecs.includes('h264')) return `ffprobe found no h264 stream (${codecs.join(',') || 'none'})`;
    if (stderr.trim()) return `ffprobe: ${stderr.trim().split('\n')[0]}`;
    return undefined;
  } catch (e) {
    const err = e as Error & { code?: string; stderr?: string };
    if (err.code === 'ENOENT')
      throw new Error(`${FFPROBE} is missing; install ffmpeg (apt-get install ffmpeg): the soak probes segments with it`, { cause: e });
    return `ffprobe failed: ${(err.stderr ?? err.message).trim().split('\n')[0]}`;
  }
}

/**
 * Everything the bucket and the index hold for one camera. Each segment is fetched,
 * its data key unwrapped with the deployment's private key, decrypted (AES-128-CBC,
 * PKCS#7), checked packet by packet, and (every `probeEvery`-th, and every suspect one)
 * probed with ffprobe.
 */
/** Every item of one device with a sort key in [lo, hi], whole. */
async function queryItems(ddb: DynamoDBClient, table: string, deviceId: string, lo: string, hi: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(ddb);
  const out: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new DocQueryCommand({
        TableName: table,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#pk': IndexTable.PARTITION_KEY, '#sk': IndexTable.SORT_KEY },
        ExpressionAttributeValues: { ':pk': deviceId, ':lo': lo, ':hi': hi },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) out.push(item);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return out;
}

export async function readCameraStore(opts: {
  s3: S3Client;
  bucket: string;
  ddb: DynamoDBClient;
  table: string;
  deviceId: string;
  contentKeyPrivatePem: string;
  probeEvery: number;
  packPeriodMs?: number;
}): Promise<CameraStore> {
  const { s3, bucket, deviceId } = opts;
  const keyCache = new Map<string, Buffer | Error>();
  const dir = await mkdtemp(join(tmpdir(), 'camrec-soak-probe-'));
  const segments: StoredSegment[] = [];
  let probes = 0;
  let packs = 0;
  let packedSegments = 0;
  const dataKey = async (keyId: string): Promise<Buffer> => {
    let k = keyCache.get(keyId);
    if (!k) {
      try {
        k = unwrapDataKeyLocally(opts.contentKeyPrivatePem, (await getObject(s3, bucket, wrappedKeyKey({ deviceId, keyId }))).body, { deviceId, keyId });
      } catch (e) {
        k = e as Error;
      }
      keyCache.set(keyId, k);
    }
    if (k instanceof Error) throw new Error(`wrapped key ${keyId} missing or unreadable: ${k.message}`);
    return k;
  };
  /** Decrypts one segment's bytes, checks every TS packet, and ffprobes every probeEvery-th. */
  const check = async (seg: StoredSegment, body: Buffer, keyId: string, iv: string): Promise<void> => {
    const d = createDecipheriv('aes-128-cbc', await dataKey(keyId), Buffer.from(iv, 'hex'));
    const plain = Buffer.concat([d.update(body), d.final()]);
    seg.plainSha256 = createHash('sha256').update(plain).digest('hex');
    if (!isWholeTs(plain)) throw new Error('decrypted bytes are not whole 188-byte TS packets starting with 0x47');
    if (probes++ % opts.probeEvery === 0) {
      const file = join(dir, 'seg.ts');
      await writeFile(file, plain);
      seg.probed = true;
      seg.corrupt = await probeTs(file);
    }
  };
  try {
    // Packed history: every segment of every pack, read from the pack by its byte range.
    const packItems = (await queryItems(opts.ddb, opts.table, deviceId, SortKeyPrefix.HOUR, `${SortKeyPrefix.HOUR}~`)).filter((it) =>
      String(it[IndexTable.SORT_KEY]).includes('#pack#'),
    ) as unknown as PackItem[];
    for (const p of packItems) {
      packs++;
      const name = packName({ kind: p.kind, hourMs: p.hourMs, packNo: p.packNo, digest: p.digest });
      const sums = (
        await queryItems(opts.ddb, opts.table, deviceId, checksumSortKey(p.hourMs, p.packNo, p.digest), checksumSortKey(p.hourMs, p.packNo, p.digest))
      )[0] as unknown as PackChecksumsItem | undefined;
      const decoded = decodePackedSegments(p.hourMs, new Uint8Array(p.segs), p.keys, p.formats, sums ? new Uint8Array(sums.sums) : undefined);
      let pack: Buffer | undefined;
      let packError: string | undefined;
      try {
        pack = (await getObject(s3, bucket, p.objectKey)).body;
      } catch (e) {
        packError = `pack ${p.objectKey} unreadable: ${(e as Error).message}`;
      }
      for (const r of decoded) {
        packedSegments++;
        const seg: StoredSegment = {
          key: `${name}#${r.seq}`,
          seq: r.seq,
          startMs: r.startMs,
          bytes: r.length,
          plainSha256: undefined,
          corrupt: packError,
          probed: false,
        };
        segments.push(seg);
        if (!pack) continue;
        try {
          const body = pack.subarray(r.offset, r.offset + r.length);
          if (body.length !== r.length) throw new Error(`pack ${name} is too short for the range ${r.offset}+${r.length}`);
          if (!r.checksumSha256) throw new Error(`pack ${name} has no recorded checksum for seq ${r.seq}`);
          if (createHash('sha256').update(body).digest('base64') !== r.checksumSha256)
            throw new Error(`range of seq ${r.seq} in ${name} does not match the camera's checksum`);
          await check(seg, body, r.keyId, r.iv);
        } catch (e) {
          seg.corrupt = (e as Error).message;
        }
      }
    }
    const keys = await listAll(s3, bucket, `segments/${deviceId}/`);
    for (const key of keys) {
      const parsed = parseObjectKey(key);
      if (parsed.kind !== 'segment') {
        segments.push({ key, seq: -1, startMs: -1, bytes: 0, plainSha256: undefined, corrupt: 'not a segment key', probed: false });
        continue;
      }
      const { body, metadata } = await getObject(s3, bucket, key);
      const seg: StoredSegment = {
        key,
        seq: parsed.seq,
        startMs: parsed.startMs,
        bytes: body.length,
        plainSha256: undefined,
        corrupt: undefined,
        probed: false,
      };
      segments.push(seg);
      try {
        const meta = parseSegmentMetadata(metadata);
        if (meta.seq !== parsed.seq || meta.startMs !== parsed.startMs)
          throw new Error(`metadata seq/start-ms ${meta.seq}/${meta.startMs} differ from the key`);
        await check(seg, body, meta.keyId, meta.iv);
      } catch (e) {
        seg.corrupt = (e as Error).message;
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const indexedSeqs: number[] = [];
  let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await opts.ddb.send(
      new QueryCommand({
        TableName: opts.table,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :seg)',
        ExpressionAttributeNames: { '#pk': IndexTable.PARTITION_KEY, '#sk': IndexTable.SORT_KEY },
        ExpressionAttributeValues: { ':pk': { S: deviceId }, ':seg': { S: SortKeyPrefix.SEGMENT } },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) indexedSeqs.push(Number(item.seq?.N ?? -1));
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  // What playlists and the timeline list: packed and hot history merged, over the whole recording.
  const starts = segments.map((x) => x.startMs).filter((x) => x >= 0);
  let listedSeqs: number[] = [];
  if (starts.length) {
    const index = dynamoSegmentIndex(opts.ddb, opts.table, opts.packPeriodMs ? { packPeriodMs: opts.packPeriodMs } : {});
    const page = await index.querySegments(deviceId, Math.min(...starts) - 60_000, Math.max(...starts) + 60_000);
    listedSeqs = page.items.map((x) => x.seq);
  }
  return {
    segments,
    indexedSeqs,
    listedSeqs,
    packs,
    packedSegments,
    keyObjects: (await listAll(s3, bucket, `keys/${deviceId}/`)).length,
    // One event is a start record and an end record: count events by their start records.
    eventObjects: (await listAll(s3, bucket, `events/${deviceId}/`)).filter((k) => !k.endsWith('.end.json')).length,
  };
}
