import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../../device/buffer/atomic-file.ts';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { DEVICE_FOLDERS, PackDefault, SegmentSeconds, targetDurationSeconds, type ClipRequest } from '../../contract/index.ts';
import { redactSecrets } from '../../device/core/redact-secrets.ts';
import { createApiHandler } from '../../lambda/api/create-api-handler.ts';
import { dynamoEventStore } from '../../lambda/events/dynamo-event-store.ts';
import { dynamoLivenessStore } from '../../lambda/liveness/dynamo-liveness-store.ts';
import { checkDevice, validateOfflineAfterMs, WATCH_GRACE_MS, type OfflineWatchDeps } from '../../lambda/liveness/offline-watch.ts';
import { dynamoSegmentIndex } from '../../lambda/index/dynamo-segment-index.ts';
import { createIndexer } from '../../lambda/indexer/create-indexer.ts';
import type { PackReport } from '../../lambda/packer/create-packer.ts';
import type { SweepReport } from '../../lambda/sweeper/create-sweeper.ts';
import { createKeysHandler } from '../../lambda/keys/create-keys-handler.ts';
import { dynamoImageIndex } from '../../lambda/images/dynamo-image-index.ts';
import { localKeyUnwrapper } from '../../lambda/keys/key-unwrapper.ts';
import { s3ObjectStore } from '../../lambda/storage/s3-object-store.ts';
import { s3ClipObjectStore } from '../../lambda/storage/s3-clip-object-store.ts';
import { dynamoClipSources } from '../../lambda/clips/dynamo-clip-sources.ts';
import { createClipExporter } from '../../lambda/clips/export-clip.ts';
import { createDataKeyOpener } from '../../lambda/keys/data-key-opener.ts';
import { staticTokenSecrets } from '../../lambda/token/token-secrets.ts';
import { EMULATOR_REGION, emulatorS3Client, startS3rver, type RunningS3rver } from '../emulators/start-s3rver.ts';
import { startDynalite } from '../emulators/start-dynalite.ts';
import { migrateIndexTable } from '../emulators/migrate-index-table.ts';
import { withFrontChecksums } from '../s3-front/front-checksum.ts';
import { DEFAULT_PACK_AFTER_MS, localPacking, type LocalPacking } from './local-packing.ts';
import { startLocalCompactor, type LocalCompactor } from './local-compactor.ts';
import { startLocalApiServer, type LocalApiServer } from '../http/local-api-server.ts';
import { CredentialRegistry, type RegisteredCredentials } from '../iot/credential-registry.ts';
import { DEFAULT_ROLE_ALIAS, startIotCredentialProvider, type IotCredentialProvider } from '../iot/iot-credential-provider.ts';
import { ensureLocalPki, type LoadedPki } from '../pki/pki-files.ts';
import { createLocalNotifier, type LocalNotifier } from '../notify/local-notifier.ts';
import { timerWatchQueue } from '../notify/timer-watch-queue.ts';
import { startS3Front, type S3Front } from '../s3-front/s3-front-server.ts';
import { ensureLocalSecrets } from './local-secrets.ts';
import type { CameraContext, CameraRunner, CameraSpec, RunningCamera } from './camera-runner.ts';
import { triggerCameraEvent } from './trigger-event.ts';

/**
 * `camrec local` in one process: s3rver and dynalite persisting under the data dir, the
 * mutual-TLS IoT credential provider, the S3 front (SigV4, device policy, 412), s3rver's
 * ObjectCreated events fed to the same indexer code as in Lambda, the playback API and
 * keys handlers on a localhost HTTP server with the player page, and one agent per camera
 * through the real credential and upload path.
 *
 * History is packed as in the cloud, by the same packer and sweep on a timer, with a short
 * pack "hour" (see local-packing.ts) so the try-out shows it.
 *
 *   {dataDir}/s3/  dynamo/  pki/  content-key/  token-secret.json  cameras/{id}/  local.json
 */
export const LOCAL_BUCKET = 'camrec-local';
/** The index table (with the open-hours index). Data dirs from before packed history had LEGACY_LOCAL_TABLE, migrated at start. */
export const LOCAL_TABLE = 'camrec-index-v2';
export const LEGACY_LOCAL_TABLE = 'camrec-index';
/** Days local recordings are kept (index TTLs; s3rver has no lifecycle rules). */
const LOCAL_RETENTION_DAYS = 30;
/** The compactor's S3 and DynamoDB clients say so in their user agent (the soak counts its requests apart). */
export const COMPACTOR_USER_AGENT = 'camrec-compactor';
/** The top folders cameras write: only these objects go to the indexer (packs are the compactor's). */
const INDEXED_KEY_RE = new RegExp(`^(${DEVICE_FOLDERS.join('|')})/`);
export const LOCAL_REGION = EMULATOR_REGION;
export const LOCAL_JSON = 'local.json';

export interface LocalStackOptions {
  /** @default '.camrec' */
  readonly dataDir?: string;
  /** API / player port. @default 0 (free port) */
  readonly port?: number;
  readonly cameras: readonly CameraSpec[];
  /** @default SegmentSeconds.LOCAL_DEFAULT (2, contract/segment-seconds.ts) */
  readonly segmentSeconds?: number;
  /** @default 3600 */
  readonly credentialDurationSeconds?: number;
  /** @default 5 */
  readonly liveWindowSegments?: number;
  /**
   * Packed history: the pack period, grace, drain and sweep interval, or false for none.
   * @default localPacking(DEFAULT_PACK_AFTER_MS): packed when about 2 minutes old
   */
  readonly packing?: LocalPacking | false;
  /** Starts each camera (agent + source + control endpoint); without it no cameras run. */
  readonly runCamera?: CameraRunner;
  /** Progress lines for people. @default silent */
  readonly log?: (line: string) => void;
  /** POST every notification (event started/ended, camera offline/online) here, as the cloud's webhook does. */
  readonly webhookUrl?: string;
  /** Seconds of silence after which a camera is reported offline. @default 90 */
  readonly offlineAfterSeconds?: number;
}

/** What DIR/local.json holds, for `camrec play-url`, `camrec event` and people. */
export interface LocalStackInfo {
  apiUrl: string;
  playerUrl: string;
  s3Endpoint: string;
  bucket: string;
  region: string;
  tableName: string;
  dynamoEndpoint: string;
  iotEndpoint: string;
  /** Credentials the local API accepts on its IAM routes (valid while this run lasts). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  targetDurationSeconds: number;
  segmentSeconds: number;
  /** How history is packed here (null: not at all). */
  packing: LocalPacking | null;
  cameras: { id: string; controlUrl: string | undefined; source: string }[];
  startedAt: string;
  pid: number;
}

export interface LocalStack {
  readonly info: LocalStackInfo;
  readonly dataDir: string;
  readonly registry: CredentialRegistry;
  readonly iot: IotCredentialProvider;
  readonly front: S3Front;
  /** s3rver itself, behind the front (no auth; benchmarks and debugging only). */
  readonly s3rverEndpoint: string;
  readonly api: LocalApiServer;
  readonly pki: LoadedPki;
  readonly cameras: ReadonlyMap<string, RunningCamera>;
  /** The notifications so far (log, player, webhook). */
  readonly notifier: LocalNotifier;
  /** Stops (unplugs) or starts again (plugs in) a camera's agent; false for an unknown camera. */
  setCameraPower(id: string, on: boolean): Promise<boolean>;
  /** Called with each object key once the indexer has indexed it (benchmarks, tests). */
  onIndexed(listener: (key: string, atMs: number) => void): () => void;
  /** Runs a sweep now (after the one running, if any) and every pack it dispatches; undefined without packing. */
  compactNow(): Promise<SweepReport | undefined>;
  /** Called with the report of each packer run (benchmarks, tests). */
  onPacked(listener: (report: PackReport) => void): () => void;
  stop(): Promise<void>;
}

/** EXT-X-TARGETDURATION for a segment length: the contract's formula, as in the cloud. */
export const targetDurationFor = (segmentSeconds: number): number => targetDurationSeconds(segmentSeconds);

const writeJsonAtomic = (path: string, value: unknown): Promise<void> => writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir ?? '.camrec');
  const segmentSeconds = opts.segmentSeconds ?? SegmentSeconds.LOCAL_DEFAULT;
  const targetDurationSeconds = targetDurationFor(segmentSeconds);
  const liveWindowSegments = opts.liveWindowSegments ?? 5;
  const offlineAfterMs = validateOfflineAfterMs(Math.round((opts.offlineAfterSeconds ?? 90) * 1000));
  await mkdir(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  /** Cameras stop first (their last segments upload and get indexed), then the rest, last started first. */
  const cameraStops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    await Promise.allSettled(cameraStops.splice(0).map((stop) => stop()));
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };

  try {
    // Everything independent starts at once: keys and certificates, both emulators. The
    // cameras start as soon as the upload path (IoT provider, S3 front, s3rver) is up; the
    // index and API come up while their first segment is still being recorded.
    await mkdir(join(dataDir, 's3'), { recursive: true });
    const s3rverStarting = startS3rver({ bucketName: LOCAL_BUCKET, directory: join(dataDir, 's3') });
    const dynaliteStarting = startDynalite({ tableName: LOCAL_TABLE, path: join(dataDir, 'dynamo') });
    s3rverStarting.then(
      (x) => stops.push(() => x.close()),
      () => {},
    );
    dynaliteStarting.then(
      (x) => stops.push(() => x.close()),
      () => {},
    );
    const [secrets, pki, s3rver]: [Awaited<ReturnType<typeof ensureLocalSecrets>>, LoadedPki, RunningS3rver] = await Promise.all([
      ensureLocalSecrets(dataDir),
      ensureLocalPki(
        join(dataDir, 'pki'),
        opts.cameras.map((c) => c.id),
      ),
      s3rverStarting,
    ]);

    const registry = new CredentialRegistry();
    const service: RegisteredCredentials = registry.issueService('camrec-local-service');
    const [iot, front] = await Promise.all([
      startIotCredentialProvider({
        caCertPem: pki.ca.certPem,
        serverCertPem: pki.server.certPem,
        serverKeyPem: pki.server.keyPem,
        registry,
        credentialDurationSeconds: opts.credentialDurationSeconds ?? 3600,
      }),
      startS3Front({ upstream: s3rver.endpoint, bucket: LOCAL_BUCKET, registry }),
    ]);
    stops.push(
      () => iot.stop(),
      () => front.stop(),
    );

    // The cloud side: reads go straight to s3rver; presigned URLs point at the front,
    // signed with the service credentials the front knows.
    const store = s3ObjectStore(emulatorS3Client(s3rver.endpoint), LOCAL_BUCKET);
    const presignerClient = new S3Client({
      region: LOCAL_REGION,
      endpoint: front.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: service.accessKeyId, secretAccessKey: service.secretAccessKey },
    });
    const presigner = s3ObjectStore(presignerClient, LOCAL_BUCKET);
    const clock = { nowMs: () => Date.now() };
    const tokenSecrets = staticTokenSecrets([secrets.tokenKey]);
    const warn = (msg: string, fields?: Record<string, unknown>) => log(`${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
    const handlerLog = { info: () => {}, warn, error: warn };
    // Notifications: the same ones the cloud publishes, to the log, the player and the webhook.
    const notifier = createLocalNotifier({
      region: LOCAL_REGION,
      log,
      webhookUrl: opts.webhookUrl,
      deadLetterFile: join(dataDir, 'webhook-dead-letters.jsonl'),
    });
    stops.push(async () => {
      await notifier.drained(2000);
      notifier.stop();
    });
    let watchDeps: OfflineWatchDeps | undefined;
    const watchQueue = timerWatchQueue(
      (m) => checkDevice(watchDeps!, m),
      (err) => log(`offline watch: ${err.message}; trying again`),
    );
    stops.push(async () => watchQueue.stop());
    const packing = opts.packing === undefined ? localPacking(DEFAULT_PACK_AFTER_MS) : opts.packing || undefined;
    const indexReady = dynaliteStarting.then(async (dynalite) => {
      const ddb = dynalite.createClient();
      stops.push(async () => ddb.destroy());
      const migrated = await migrateIndexTable(ddb, LEGACY_LOCAL_TABLE, LOCAL_TABLE);
      if (migrated) log(`moved ${migrated} index items to table ${LOCAL_TABLE} (with the open-hours index packed history needs)`);
      const index = dynamoSegmentIndex(ddb, LOCAL_TABLE, packing ? { packPeriodMs: packing.periodMs } : {});
      const events = dynamoEventStore(ddb, LOCAL_TABLE);
      const images = dynamoImageIndex(ddb, LOCAL_TABLE);
      const liveness = dynamoLivenessStore(ddb, LOCAL_TABLE);
      watchDeps = { liveness, events, queue: watchQueue, publisher: notifier, clock, offlineAfterMs, log: handlerLog };
      const indexer = createIndexer({
        index,
        events,
        images,
        // The front keeps each upload's x-amz-checksum-sha256 as S3 does; the indexer records it.
        store: withFrontChecksums(store),
        config: {
          retentionDays: LOCAL_RETENTION_DAYS,
          bucketName: LOCAL_BUCKET,
          ...(packing ? { packing: { periodMs: packing.periodMs, graceMs: packing.graceMs, hotIndexDays: PackDefault.HOT_INDEX_DAYS } } : {}),
        },
        clock,
        log: handlerLog,
        publisher: notifier,
        liveness,
        watch: { queue: watchQueue, offlineAfterMs },
      });
      let compactor: LocalCompactor | undefined;
      if (packing) {
        const compactorDdb = dynalite.createClient(COMPACTOR_USER_AGENT);
        compactor = startLocalCompactor({
          ddb: compactorDdb,
          s3rverEndpoint: s3rver.endpoint,
          bucket: LOCAL_BUCKET,
          table: LOCAL_TABLE,
          packing,
          retentionDays: LOCAL_RETENTION_DAYS,
          userAgent: COMPACTOR_USER_AGENT,
          clock,
          log: handlerLog,
          onError: log,
        });
        const c = compactor;
        stops.push(async () => {
          await c.stop();
          compactorDdb.destroy();
        });
      }
      return { index, events, images, liveness, indexer, compactor, ddb };
    });
    indexReady.catch(() => {});
    const indexedListeners = new Set<(key: string, atMs: number) => void>();
    const indexing = new Set<Promise<void>>();
    s3rver.events.on('event', (event: S3Event) => {
      if (
        !event.Records?.every(
          (r) => r.eventName?.startsWith('ObjectCreated') && INDEXED_KEY_RE.test(decodeURIComponent((r.s3?.object?.key ?? '').replace(/\+/g, ' '))),
        )
      )
        return;
      const done = indexReady
        .then(({ indexer }) => indexer(event))
        .then(() => {
          const at = Date.now();
          for (const r of event.Records) for (const l of indexedListeners) l(decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')), at);
        })
        .catch((err: Error) => log(`indexer: ${err.message}`))
        .finally(() => indexing.delete(done));
      indexing.add(done);
    });

    const cameras = new Map<string, RunningCamera>();
    const contexts = new Map<string, CameraContext>();
    const camerasStarting = Promise.all(
      (opts.runCamera ? opts.cameras : []).map(async (spec) => {
        const device = pki.paths.devices.get(spec.id)!;
        const ctx: CameraContext = {
          spec,
          dir: join(dataDir, 'cameras', spec.id),
          region: LOCAL_REGION,
          bucket: LOCAL_BUCKET,
          s3Endpoint: front.endpoint,
          iotEndpoint: iot.endpoint,
          roleAlias: DEFAULT_ROLE_ALIAS,
          caCertPath: pki.paths.caCertPath,
          certPath: device.certPath,
          keyPath: device.keyPath,
          contentKeyPublicPath: secrets.contentKeyPublicPath,
          segmentSeconds,
          log,
        };
        contexts.set(spec.id, ctx);
        cameras.set(spec.id, await opts.runCamera!(ctx));
      }),
    );
    cameraStops.push(async () => {
      await Promise.allSettled([...cameras.values()].map((c) => c.stop()));
    });
    /** Unplugs (stops the agent of) or plugs in a camera, as a power cut would: for trying out offline notifications. */
    const setCameraPower = async (id: string, on: boolean): Promise<boolean> => {
      const ctx = contexts.get(id);
      if (!ctx) return false;
      const running = cameras.get(id);
      if (on && !running) cameras.set(id, await opts.runCamera!(ctx));
      if (!on && running) {
        cameras.delete(id);
        await running.stop();
      }
      log(`${id}: ${on ? 'plugged in' : 'unplugged'}`);
      return true;
    };
    camerasStarting.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
    const { index, events, images, liveness, compactor, ddb } = await indexReady;
    // Watches of a previous run (their timers went with it) pick up where they were.
    for (const c of opts.cameras) {
      const st = await liveness.getState(c.id);
      if (st?.watchId && st.lastHeardMs !== undefined)
        await watchQueue.schedule({ deviceId: c.id, watchId: st.watchId }, Math.max(0, st.lastHeardMs + offlineAfterMs - Date.now()) + WATCH_GRACE_MS);
    }
    const corsOrigins = ['*'];
    // Clips: the same export the cloud runs in its own function, here in process (started, not awaited).
    const clipObjects = s3ClipObjectStore(emulatorS3Client(s3rver.endpoint), LOCAL_BUCKET, { presignClient: presignerClient, downloadFileName: false });
    const exportClip = createClipExporter({
      sources: dynamoClipSources(ddb, LOCAL_TABLE, index),
      objects: clipObjects,
      openDataKey: createDataKeyOpener({ store, unwrapper: localKeyUnwrapper(secrets.contentKeyPrivatePem), log: handlerLog }),
      publisher: notifier,
      clock,
      log: handlerLog,
    });
    const startExport = async (r: ClipRequest): Promise<void> => {
      log(`clip ${r.clipId} of ${r.deviceId}: exporting ${new Date(r.startMs).toISOString()} .. ${new Date(r.endMs).toISOString()}`);
      const p = exportClip(r).then(
        (rep) =>
          log(
            `clip ${r.clipId}: ${rep.state}${rep.error ? ` (${rep.error.code}: ${rep.error.message})` : ` (${rep.segments} segments, ${rep.sizeBytes} bytes)`}`,
          ),
        (err: unknown) => log(`clip ${r.clipId}: export failed: ${(err as Error).message}`),
      );
      clipExports.add(p);
      void p.finally(() => clipExports.delete(p));
    };
    const clipExports = new Set<Promise<void>>();
    stops.push(async () => void (await Promise.allSettled([...clipExports])));
    const api = createApiHandler({
      config: {
        targetDurationSeconds,
        liveWindowSegments,
        corsOrigins,
        publicBaseUrl: undefined,
        offlineAfterMs,
        ...(packing ? { packPeriodMs: packing.periodMs } : {}),
      },
      index,
      events,
      images,
      presigner,
      clips: { objects: clipObjects, startExport },
      tokenSecrets,
      clock,
      log: handlerLog,
    });
    const keys = createKeysHandler({
      config: { corsOrigins, targetDurationSeconds, liveWindowSegments },
      store,
      index,
      images,
      unwrapper: localKeyUnwrapper(secrets.contentKeyPrivatePem),
      tokenSecrets,
      clock,
      log: handlerLog,
    });

    let info: LocalStackInfo | undefined;
    const server = await startLocalApiServer({
      api,
      keys,
      port: opts.port,
      lookupCredentials: (id) => (id === service.accessKeyId ? service : undefined),
      pageConfig: () => ({
        apiUrl: info?.apiUrl,
        region: LOCAL_REGION,
        credentials: { accessKeyId: service.accessKeyId, secretAccessKey: service.secretAccessKey },
        cameras: [...opts.cameras].map((c) => ({ id: c.id })),
        segmentSeconds,
      }),
      triggerEvent: (id, req) => triggerCameraEvent(cameras.get(id)?.controlUrl, id, req),
      notifications: (after) => notifier.since(after),
      cameraPower: (id, on) => setCameraPower(id, on),
    });
    stops.push(() => server.stop());
    await camerasStarting;
    // Runs right after the cameras stopped: their final uploads get indexed before the emulators go.
    stops.push(async () => {
      await new Promise((r) => setTimeout(r, 50));
      await Promise.allSettled([...indexing]);
    });

    info = {
      apiUrl: server.url,
      playerUrl: `${server.url}/player/`,
      s3Endpoint: front.endpoint,
      bucket: LOCAL_BUCKET,
      region: LOCAL_REGION,
      tableName: LOCAL_TABLE,
      dynamoEndpoint: (await dynaliteStarting).endpoint,
      iotEndpoint: iot.endpoint,
      credentials: { accessKeyId: service.accessKeyId, secretAccessKey: service.secretAccessKey },
      targetDurationSeconds,
      segmentSeconds,
      packing: packing ?? null,
      cameras: [],
      startedAt: new Date().toISOString(),
      pid: process.pid,
    };

    info.cameras = opts.cameras.map((c) => ({ id: c.id, controlUrl: cameras.get(c.id)?.controlUrl, source: describeSource(c) }));
    const localJson = join(dataDir, LOCAL_JSON);
    await writeJsonAtomic(localJson, info);
    const finalInfo = info;

    return {
      info: finalInfo,
      dataDir,
      registry,
      iot,
      front,
      s3rverEndpoint: s3rver.endpoint,
      api: server,
      pki,
      cameras,
      notifier,
      setCameraPower,
      onIndexed(listener) {
        indexedListeners.add(listener);
        return () => indexedListeners.delete(listener);
      },
      compactNow: () => compactor?.compactNow() ?? Promise.resolve(undefined),
      onPacked: (listener) => compactor?.onPacked(listener) ?? (() => false),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export function describeSource(c: CameraSpec): string {
  return describeSourceOnly(c) + (c.container ? ` in ${c.container === 'fmp4' ? 'fMP4' : 'MPEG-TS'}` : '');
}

function describeSourceOnly(c: CameraSpec): string {
  switch (c.source.kind) {
    case 'sample':
      return 'sample clip (looped, real time)';
    case 'file':
      return `file ${c.source.path}${c.source.fps ? ` at ${c.source.fps} fps` : ''}${c.source.loop ? ' (looped)' : ''}`;
    case 'stdin':
      return 'stdin';
    case 'rtsp':
      return `${redactSecrets(c.source.url)}${c.source.transport === 'udp' ? ' (RTP over UDP)' : ''}`;
  }
}
