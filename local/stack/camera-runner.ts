/** How `camrec local` starts one camera: the seam between the stack and device/. */
export type CameraSource =
  /** The sample clip, looped; `fps` overrides the clip's own 25. */
  | { readonly kind: 'sample'; readonly fps?: number }
  /** A raw H.264 / H.265 file (fps: its SPS frame rate unless given) or a container file (its own timestamps). */
  | { readonly kind: 'file'; readonly path: string; readonly audioPath?: string; readonly loop?: boolean; readonly fps?: number }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'rtsp'; readonly url: string; readonly transport?: 'tcp' | 'udp' };

export interface CameraSpec {
  /** The IoT thing name. */
  readonly id: string;
  readonly source: CameraSource;
  /** Segment container (device.json `container`). @default ts for H.264, fmp4 for H.265 */
  readonly container?: 'ts' | 'fmp4';
}

/** Everything a camera needs to reach the local stack the way a real one reaches AWS. */
export interface CameraContext {
  readonly spec: CameraSpec;
  /** The camera's own folder (state, spool, device.json). */
  readonly dir: string;
  readonly region: string;
  readonly bucket: string;
  readonly s3Endpoint: string;
  /** https://127.0.0.1:{port} */
  readonly iotEndpoint: string;
  readonly roleAlias: string;
  readonly caCertPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly contentKeyPublicPath: string;
  readonly segmentSeconds: number;
  readonly log: (line: string) => void;
}

export interface RunningCamera {
  readonly id: string;
  /** The agent's control endpoint, e.g. http://127.0.0.1:40123 */
  readonly controlUrl: string | undefined;
  /**
   * Settles once the camera's source handed over its first video frame (its recording clock
   * runs from then). The stack starts its emulators after that, or after a bound: loading
   * them holds the CPU, and before the first frame it would delay the first segment.
   */
  readonly recording?: Promise<void>;
  stop(): Promise<void>;
}

export type CameraRunner = (ctx: CameraContext) => Promise<RunningCamera>;
