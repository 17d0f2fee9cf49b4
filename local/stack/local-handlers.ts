import type { S3Client } from '@aws-sdk/client-s3';
import type { ClipRequest } from '../../contract/index.ts';
import { createApiHandler, type ApiHandler } from '../../lambda/api/create-api-handler.ts';
import { dynamoClipSources } from '../../lambda/clips/dynamo-clip-sources.ts';
import { createClipExporter } from '../../lambda/clips/export-clip.ts';
import { createKeysHandler, type KeysHandler } from '../../lambda/keys/create-keys-handler.ts';
import { createDataKeyOpener } from '../../lambda/keys/data-key-opener.ts';
import { localKeyUnwrapper } from '../../lambda/keys/key-unwrapper.ts';
import type { Clock } from '../../lambda/shared/clock.ts';
import type { Log } from '../../lambda/shared/log.ts';
import { s3ClipObjectStore } from '../../lambda/storage/s3-clip-object-store.ts';
import type { s3ObjectStore } from '../../lambda/storage/s3-object-store.ts';
import type { TokenSecrets } from '../../lambda/token/token-secrets.ts';
import { emulatorS3Client, type RunningS3rver } from '../emulators/start-s3rver.ts';
import type { LocalNotifier } from '../notify/local-notifier.ts';
import type { LocalIndexStores } from './local-indexing.ts';
import type { LocalPacking } from './local-packing.ts';
import type { LocalSecrets } from './local-secrets.ts';
import { LOCAL_BUCKET, LOCAL_TABLE } from './local-stack-api.ts';

export interface LocalHandlersOptions {
  readonly s3rver: RunningS3rver;
  readonly stores: LocalIndexStores;
  /** Reads the bucket (straight from s3rver). */
  readonly store: ReturnType<typeof s3ObjectStore>;
  /** Presigns segment and clip URLs that point at the S3 front. */
  readonly presigner: ReturnType<typeof s3ObjectStore>;
  readonly presignerClient: S3Client;
  readonly secrets: LocalSecrets;
  readonly tokenSecrets: TokenSecrets;
  readonly notifier: LocalNotifier;
  readonly packing: LocalPacking | undefined;
  readonly targetDurationSeconds: number;
  readonly liveWindowSegments: number;
  readonly offlineAfterMs: number;
  readonly clock: Clock;
  readonly handlerLog: Log;
  readonly log: (line: string) => void;
  /** Where the stop of running clip exports is registered. */
  readonly stops: (() => Promise<void>)[];
}

/**
 * The cloud's playback API and keys handlers, wired as in Lambda but on the local stores,
 * with the clip export the cloud runs in its own function here in process (started, not
 * awaited; stopping the stack waits for the exports under way).
 */
export function createLocalHandlers(opts: LocalHandlersOptions): { api: ApiHandler; keys: KeysHandler } {
  const { s3rver, store, presigner, presignerClient, secrets, tokenSecrets, notifier, packing, clock, handlerLog, log } = opts;
  const { index, events, images, ddb } = opts.stores;
  const { targetDurationSeconds, liveWindowSegments, offlineAfterMs } = opts;
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
  opts.stops.push(async () => void (await Promise.allSettled([...clipExports])));
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
  return { api, keys };
}
