import { join } from 'node:path';
import { DEFAULT_ROLE_ALIAS } from '../iot/iot-credential-provider.ts';
import type { LoadedPki } from '../pki/pki-files.ts';
import type { CameraContext, CameraRunner, CameraSpec, RunningCamera } from './camera-runner.ts';
import { LOCAL_BUCKET, LOCAL_REGION } from './local-stack-api.ts';

export interface LocalCamerasOptions {
  readonly specs: readonly CameraSpec[];
  /** Starts each camera; without it no cameras run. */
  readonly runCamera: CameraRunner | undefined;
  readonly dataDir: string;
  readonly pki: LoadedPki;
  readonly contentKeyPublicPath: string;
  /** The S3 front's endpoint (where cameras upload). */
  readonly s3Endpoint: string;
  readonly iotEndpoint: string;
  readonly segmentSeconds: number;
  readonly log: (line: string) => void;
}

export interface LocalCameras {
  /** The cameras running now, by id. */
  readonly cameras: Map<string, RunningCamera>;
  /** Settles once every camera has started (rejects with the first that could not). */
  readonly starting: Promise<unknown>;
  /** Settles once every camera that started has handed over its first frame (RunningCamera.recording), or `boundMs` after they started. */
  recording(boundMs: number): Promise<void>;
  /** Stops (unplugs) or starts again (plugs in) a camera's agent, as a power cut would; false for an unknown camera. */
  setCameraPower(id: string, on: boolean): Promise<boolean>;
  /** Stops every running camera. */
  stop(): Promise<void>;
}

/** One agent per camera, each reaching the stack the way a real camera reaches AWS (its own certificate, the IoT provider, the S3 front). */
export function startLocalCameras(opts: LocalCamerasOptions): LocalCameras {
  const { pki, log } = opts;
  const cameras = new Map<string, RunningCamera>();
  const contexts = new Map<string, CameraContext>();
  const camerasStarting = Promise.all(
    (opts.runCamera ? opts.specs : []).map(async (spec) => {
      const device = pki.paths.devices.get(spec.id)!;
      const ctx: CameraContext = {
        spec,
        dir: join(opts.dataDir, 'cameras', spec.id),
        region: LOCAL_REGION,
        bucket: LOCAL_BUCKET,
        s3Endpoint: opts.s3Endpoint,
        iotEndpoint: opts.iotEndpoint,
        roleAlias: DEFAULT_ROLE_ALIAS,
        caCertPath: pki.paths.caCertPath,
        certPath: device.certPath,
        keyPath: device.keyPath,
        contentKeyPublicPath: opts.contentKeyPublicPath,
        segmentSeconds: opts.segmentSeconds,
        log,
      };
      contexts.set(spec.id, ctx);
      cameras.set(spec.id, await opts.runCamera!(ctx));
    }),
  );
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
  return {
    cameras,
    starting: camerasStarting,
    recording: async (boundMs) => {
      await camerasStarting.catch(() => {});
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...cameras.values()].map((c) => c.recording ?? Promise.resolve())),
        new Promise<void>((r) => (bound = setTimeout(r, boundMs))),
      ]).finally(() => clearTimeout(bound));
    },
    setCameraPower,
    stop: async () => {
      await Promise.allSettled([...cameras.values()].map((c) => c.stop()));
    },
  };
}
