import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SegmentSeconds } from '../../contract/index.ts';
import { writeFileAtomic } from '../../device/buffer/atomic-file.ts';
import { startDynalite } from '../emulators/start-dynalite.ts';
import { emulatorS3Client, startS3rver, type RunningS3rver } from '../emulators/start-s3rver.ts';
import { CredentialRegistry, type RegisteredCredentials } from '../iot/credential-registry.ts';
import { startIotCredentialProvider } from '../iot/iot-credential-provider.ts';
import { ensureLocalPki, type LoadedPki } from '../pki/pki-files.ts';
import { startS3Front } from '../s3-front/s3-front-server.ts';
import { describeSource } from './describe-source.ts';
import { startLocalCameras } from './local-cameras.ts';
import { DEFAULT_PACK_AFTER_MS, localPacking } from './local-packing.ts';
import { ensureLocalSecrets } from './local-secrets.ts';
import {
  LOCAL_BUCKET,
  LOCAL_JSON,
  LOCAL_REGION,
  LOCAL_TABLE,
  targetDurationFor,
  type LocalStack,
  type LocalStackInfo,
  type LocalStackOptions,
} from './local-stack-api.ts';
export * from './local-stack-api.ts';
export { describeSource } from './describe-source.ts';

/**
 * `camrec local` in one process: s3rver and dynalite persisting under the data dir, the
 * mutual-TLS IoT credential provider, the S3 front (SigV4, device policy, 412), s3rver's
 * ObjectCreated events fed to the same indexer code as in Lambda (local-indexing.ts), the
 * playback API and keys handlers (local-handlers.ts) on a localhost HTTP server with the
 * player page, and one agent per camera through the real credential and upload path
 * (local-cameras.ts). What it takes, gives and writes: local-stack-api.ts.
 *
 * History is packed as in the cloud, by the same packer and sweep on a timer, with a short
 * pack "hour" (see local-packing.ts) so the try-out shows it.
 *
 *   {dataDir}/s3/  dynamo/  pki/  content-key/  token-secret.json  cameras/{id}/  local.json
 */
/** How long the emulators wait for the cameras' first frames (a camera that is slow to answer, e.g. over RTSP, does not hold them longer). */
const FIRST_FRAME_BOUND_MS = 1000;

const writeJsonAtomic = (path: string, value: unknown): Promise<void> => writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir ?? '.camrec');
  const segmentSeconds = opts.segmentSeconds ?? SegmentSeconds.LOCAL_DEFAULT;
  const targetDurationSeconds = targetDurationFor(segmentSeconds);
  const liveWindowSegments = opts.liveWindowSegments ?? 5;
  await mkdir(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  /** Cameras stop first (their last segments upload and get indexed), then the rest, last started first. */
  const cameraStops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    await Promise.allSettled(cameraStops.splice(0).map((stop) => stop()));
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };

  try {
    // On a restart the first segment is about one segment length after the cameras start, so
    // they start first: keys and certificates, then the IoT provider and the S3 front, then the
    // cameras, which record while the emulators, the index and the API come up (the front holds
    // their first uploads until s3rver is there). The emulators start once the cameras' sources
    // handed over their first frames (or FIRST_FRAME_BOUND_MS after the cameras started): loading
    // them holds the CPU for a good part of a second (synchronous requires), and before a first
    // frame that would push the camera's recording clock, so its first segment, back as much.
    let startEmulators!: () => void;
    const emulatorsGo = new Promise<void>((go) => (startEmulators = go));
    const s3rverStarting = emulatorsGo.then(async () => {
      await mkdir(join(dataDir, 's3'), { recursive: true });
      return startS3rver({ bucketName: LOCAL_BUCKET, directory: join(dataDir, 's3') });
    });
    const dynaliteStarting = emulatorsGo.then(() => startDynalite({ tableName: LOCAL_TABLE, path: join(dataDir, 'dynamo') }));
    s3rverStarting.then(
      (x) => stops.push(() => x.close()),
      () => {},
    );
    dynaliteStarting.then(
      (x) => stops.push(() => x.close()),
      () => {},
    );
    const [secrets, pki]: [Awaited<ReturnType<typeof ensureLocalSecrets>>, LoadedPki] = await Promise.all([
      ensureLocalSecrets(dataDir),
      ensureLocalPki(
        join(dataDir, 'pki'),
        opts.cameras.map((c) => c.id),
      ),
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
      startS3Front({ upstream: s3rverStarting.then((x) => x.endpoint), bucket: LOCAL_BUCKET, registry }),
    ]);
    stops.push(
      () => iot.stop(),
      () => front.stop(),
    );

    const running = startLocalCameras({
      specs: opts.cameras,
      runCamera: opts.runCamera,
      dataDir,
      pki,
      contentKeyPublicPath: secrets.contentKeyPublicPath,
      s3Endpoint: front.endpoint,
      iotEndpoint: iot.endpoint,
      segmentSeconds,
      log,
    });
    const { cameras, setCameraPower } = running;
    cameraStops.push(() => running.stop());
    running.starting.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
    void running.recording(FIRST_FRAME_BOUND_MS).finally(startEmulators);
    const cloudSide = emulatorsGo.then(() => import('./cloud-side.ts'));
    cloudSide.catch(() => {}); // awaited next; this only keeps it from being "unhandled" while s3rver starts
    const s3rver: RunningS3rver = await s3rverStarting;
    const {
      validateOfflineAfterMs,
      s3ObjectStore,
      staticTokenSecrets,
      startLocalApiServer,
      createLocalNotifier,
      createLocalHandlers,
      startLocalIndexing,
      triggerCameraEvent,
    } = await cloudSide;
    const offlineAfterMs = validateOfflineAfterMs(Math.round((opts.offlineAfterSeconds ?? 90) * 1000));

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
    const packing = opts.packing === undefined ? localPacking(DEFAULT_PACK_AFTER_MS) : opts.packing || undefined;
    const indexing = startLocalIndexing({ dynalite: dynaliteStarting, s3rver, store, packing, notifier, offlineAfterMs, clock, handlerLog, log, stops });

    const stores = await indexing.ready;
    await indexing.resumeWatches(opts.cameras.map((c) => c.id));
    const { api, keys } = createLocalHandlers({
      s3rver,
      stores,
      store,
      presigner,
      presignerClient,
      secrets,
      tokenSecrets,
      notifier,
      packing,
      targetDurationSeconds,
      liveWindowSegments,
      offlineAfterMs,
      clock,
      handlerLog,
      log,
      stops,
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
    await running.starting;
    // Runs right after the cameras stopped: their final uploads get indexed before the emulators go.
    stops.push(async () => {
      await new Promise((r) => setTimeout(r, 50));
      await indexing.settled();
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
      onIndexed: (listener) => indexing.onIndexed(listener),
      compactNow: () => stores.compactor?.compactNow() ?? Promise.resolve(undefined),
      onPacked: (listener) => stores.compactor?.onPacked(listener) ?? (() => false),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
