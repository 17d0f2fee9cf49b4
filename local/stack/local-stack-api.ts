import { targetDurationSeconds } from '../../contract/index.ts';
import type { PackReport } from '../../lambda/packer/create-packer.ts';
import type { SweepReport } from '../../lambda/sweeper/create-sweeper.ts';
import { EMULATOR_REGION } from '../emulators/start-s3rver.ts';
import type { LocalApiServer } from '../http/local-api-server.ts';
import type { CredentialRegistry } from '../iot/credential-registry.ts';
import type { IotCredentialProvider } from '../iot/iot-credential-provider.ts';
import type { LocalNotifier } from '../notify/local-notifier.ts';
import type { LoadedPki } from '../pki/pki-files.ts';
import type { S3Front } from '../s3-front/s3-front-server.ts';
import type { CameraRunner, CameraSpec, RunningCamera } from './camera-runner.ts';
import type { LocalPacking } from './local-packing.ts';

/*
 * What `startLocalStack` (local-stack.ts) takes, gives and writes to DIR/local.json, and
 * the names it fixes (bucket, tables, region).
 *
 *   {dataDir}/s3/  dynamo/  pki/  content-key/  token-secret.json  cameras/{id}/  local.json
 */
export const LOCAL_BUCKET = 'camrec-local';
/** The index table (with the open-hours index). Data dirs from before packed history had LEGACY_LOCAL_TABLE, migrated at start. */
export const LOCAL_TABLE = 'camrec-index-v2';
export const LEGACY_LOCAL_TABLE = 'camrec-index';
/** Days local recordings are kept (index TTLs; s3rver has no lifecycle rules). */
export const LOCAL_RETENTION_DAYS = 30;
/** The compactor's S3 and DynamoDB clients say so in their user agent (the soak counts its requests apart). */
export const COMPACTOR_USER_AGENT = 'camrec-compactor';
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
