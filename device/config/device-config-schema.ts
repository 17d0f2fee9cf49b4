import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { DEVICE_ID_PATTERN, Liveness, SegmentSeconds } from '../../contract/index.ts';
import { parseDailyWindow } from '../link/backlog-windows.ts';

/**
 * device.json: everything one camera agent needs. `camrec provision` (cloud) and
 * `camrec local` write it; `camrec agent --config device.json` reads it. Relative paths
 * are resolved against the file's own folder. Every field is documented here; the
 * defaults are the `z._default(...)` values. An omitted section is parsed as `{}` (`z.prefault`),
 * so its fields' own defaults apply: each default is written once.
 *
 * Written with zod/mini: the same checks and messages as zod's classic API (compared on
 * ~1,200 good and bad inputs when it was converted) with a quarter of the code loaded, which
 * keeps memory off the agent's RSS on a camera. Messages in English, as classic zod sets them.
 */
z.config(en());

export const RecordingMode = { CONTINUOUS: 'continuous', EVENT: 'event' } as const;
export const SourceType = { FILE: 'file', FIFO: 'fifo', STDIN: 'stdin', RTSP: 'rtsp', API: 'api' } as const;
export const LogLevel = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** A non-empty string. */
const nonEmpty = () => z.string().check(z.minLength(1));
/** A number in [min, max]. */
const num = (min: number, max: number) => z.number().check(z.gte(min), z.lte(max));
/** An integer in [min, max]. */
const int = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));

const hostPort = z.string().check(z.regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be host or host:port, e.g. abc123.credentials.iot.eu-west-1.amazonaws.com'));

const credentialsSchema = z.strictObject({
  /** The account's IoT credential provider endpoint (`aws iot describe-endpoint --endpoint-type iot:CredentialProvider`), host[:port]. */
  endpoint: hostPort,
  /** The IoT role alias whose role grants PutObject under this device's prefixes. */
  roleAlias: z.string().check(z.regex(/^[\w=,@-]{1,128}$/, 'must be an IoT role alias name')),
  /** Device certificate (PEM) for mutual TLS. */
  certificateFile: nonEmpty(),
  /** Device private key (PEM). */
  privateKeyFile: nonEmpty(),
  /** CA bundle (PEM) that signs the endpoint's server certificate (Amazon Root CA 1, or the local CA). */
  caFile: nonEmpty(),
  /** Refresh this many seconds before expiry. @default 300 */
  refreshAheadSeconds: z._default(int(10, 3000), 300),
  /** Timeout for one request to the credential provider. @default 10 */
  timeoutSeconds: z._default(num(1, 60), 10),
});

const s3Schema = z.strictObject({
  /**
   * An S3-compatible endpoint URL (a private store on the LAN, or the local S3 front). Must be
   * https:// unless the host is loopback (127.0.0.0/8, ::1, localhost) or
   * `allowInsecureHttp` is true. @default AWS S3 for `region`
   */
  endpoint: z.optional(z.url()),
  /**
   * Allow an http:// endpoint on a non-loopback host: segments are encrypted, but the
   * credentials' signatures, metadata and wrapped keys travel in clear. The agent warns at
   * start. @default false
   */
  allowInsecureHttp: z._default(z.boolean(), false),
  /** Path-style addressing (needed by most S3-compatible stores). @default false */
  forcePathStyle: z._default(z.boolean(), false),
  /** Extra CA (PEM file) to trust for a private store's TLS certificate, on top of the system CAs; certificates are always verified. @default none */
  caFile: z.optional(nonEmpty()),
});

const bufferSchema = z.strictObject({
  /** Bytes of the in-memory segment buffer, allocated once. @default two segments at `expectedBitrateKbps` */
  memoryBytes: z.optional(int(64 * 1024, 512 * 1024 * 1024)),
  /** Folder for the disk spool (segments waiting for S3). */
  spoolDir: nonEmpty(),
  /** Byte cap of the spool; at the cap the oldest segments are dropped (counted and logged). @default 1 GiB */
  spoolMaxBytes: z._default(z.number().check(z.int(), z.gte(1024 * 1024)), 1024 * 1024 * 1024),
  /**
   * Spool every segment before its first PUT, so a kill -9 or power cut loses no completed
   * segment (the agent's promise). Costs one disk write per segment: set false only when
   * the spool sits on flash too fragile for that, accepting that up to `upload.concurrency`
   * segments in flight can be lost on a crash. @default true
   */
  writeThrough: z._default(z.boolean(), true),
});

const uploadSchema = z.strictObject({
  /** PUTs in flight at once. @default 2 */
  concurrency: z._default(int(1, 16), 2),
  /** Timeout for one PUT attempt. @default 30 */
  requestTimeoutSeconds: z._default(num(1, 600), 30),
  /** First retry delay; doubles per attempt with full jitter. @default 0.5 */
  retryBaseSeconds: z._default(num(0.01, 60), 0.5),
  /** Longest retry delay. @default 30 */
  retryMaxSeconds: z._default(num(0.05, 600), 30),
  /**
   * Cap on the agent's upload rate in bytes per second, over all PUTs (a token bucket;
   * e.g. 125000 for 1 Mbit/s on a metered 4G link). Live segments get the link first; when
   * the cap is below the recording rate the backlog grows into the spool (the status
   * answer says how long until it is full) and drains once there is room. Changeable at
   * run time (SIGHUP, or PUT /v1/upload on the control endpoint). @default no cap
   */
  maxBytesPerSecond: z.optional(int(8000, 10_000_000_000)),
  /**
   * Daily windows, in the camera's local time, during which the backlog may drain, e.g.
   * ["01:00-05:00"] or ["22:00-06:00"] (past midnight). Live segments, keys and events
   * always go. @default [] (any time)
   */
  backlogWindows: z._default(
    z.array(z.string()).check(
      z.maxLength(24),
      z.superRefine((ws, ctx) => {
        for (const [i, w] of ws.entries()) {
          try {
            parseDailyWindow(w);
          } catch (e) {
            ctx.addIssue({ code: 'custom', path: [i], message: (e as Error).message });
          }
        }
      }),
    ),
    [],
  ),
});

const recordingSchema = z.strictObject({
  /** `continuous` uploads everything; `event` uploads only around events. @default continuous */
  mode: z._default(z.enum([RecordingMode.CONTINUOUS, RecordingMode.EVENT]), RecordingMode.CONTINUOUS),
  /** Seconds kept before an event starts (never more than the memory buffer holds). @default 2 */
  preRecordSeconds: z._default(num(0, 60), 2),
  /** Seconds kept after an event stops. @default 5 */
  postRecordSeconds: z._default(num(0, 600), 5),
  /** An event longer than this is closed. @default 300 */
  maxEventSeconds: z._default(num(1, 86_400), 300),
  /** Record audio when the source has it. @default true */
  audio: z._default(z.boolean(), true),
  /** Start in privacy pause (nothing recorded or uploaded). @default false */
  privacyPaused: z._default(z.boolean(), false),
});

const controlSchema = z.strictObject({
  /** Listen on 127.0.0.1:port (0 = any free port, printed at start). Ignored when `socketPath` is set. */
  port: z.optional(int(0, 65_535)),
  /** Listen on a Unix socket instead of TCP (created mode 0600). */
  socketPath: z.optional(nonEmpty()),
  /**
   * A shared secret: every request must carry `Authorization: Bearer {token}`. Whatever the
   * setting, the endpoint only answers loopback Host names, refuses requests from web pages
   * (an Origin header) and takes JSON bodies only (a JPEG on /v1/images). @default none (any local program may call)
   */
  token: z.optional(z.string().check(z.minLength(16, 'must be at least 16 characters (e.g. openssl rand -hex 16)'), z.maxLength(256))),
});

const sourceSchema = z.strictObject({
  /**
   * `file` (a raw H.264 or H.265 Annex-B file, or a container such as .mp4/.mkv/.ts read
   * through ffmpeg with its own timestamps), `fifo` or `stdin` (raw H.264 or H.265 Annex B,
   * timed by arrival), `rtsp` (through an ffmpeg child: video copied, audio copied or
   * transcoded to AAC, the camera's timestamps kept), `api` (firmware calls putVideoFrame).
   * The video codec (H.264 or H.265) is told from the stream. @default api
   */
  type: z._default(z.enum([SourceType.FILE, SourceType.FIFO, SourceType.STDIN, SourceType.RTSP, SourceType.API]), SourceType.API),
  /** H.264 / H.265 Annex B file or FIFO (.h264, .h265, .hevc), or a container file (type file/fifo). */
  path: z.optional(nonEmpty()),
  /** ADTS AAC file or FIFO to pair with `path` (optional). */
  audioPath: z.optional(nonEmpty()),
  /** rtsp://... (type rtsp). Credentials in it are redacted from every log line. */
  url: z.optional(z.string().check(z.regex(/^rtsps?:\/\//, 'must start with rtsp:// or rtsps://'))),
  /**
   * RTP transport for type rtsp: `tcp` (interleaved in the RTSP connection: passes NAT
   * and firewalls, nothing lost) or `udp` (lower overhead on a clean LAN). @default tcp
   */
  rtspTransport: z._default(z.enum(['tcp', 'udp']), 'tcp'),
  /**
   * Frames per second used to pace and time-stamp a raw H.264 / H.265 file (type file). @default the
   * frame rate in the stream's SPS (VUI timing); a stream without one needs this set.
   */
  fps: z.optional(num(1, 120)),
  /** Replay a file source from the start when it ends. @default false */
  loop: z._default(z.boolean(), false),
  /** Seconds without data before the source counts as stalled and is reopened. @default 10 */
  stallSeconds: z._default(num(1, 600), 10),
});

export const deviceConfigSchema = z
  .strictObject({
    /** The IoT thing name; first path element of every object the device writes. */
    deviceId: z.string().check(z.regex(DEVICE_ID_PATTERN, 'must be 1-128 characters of A-Z a-z 0-9 _ : - (an AWS IoT thing name)')),
    /** AWS region of the bucket (any string for an S3-compatible store). */
    region: nonEmpty(),
    /** The recordings bucket. */
    bucket: z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')),
    s3: z.prefault(s3Schema, {}),
    credentials: credentialsSchema,
    /** The deployment's RSA content-key public key, PEM (SPKI) or base64 DER. One of this or the file. */
    contentKeyPublicKeyPem: z.optional(nonEmpty()),
    /** Path of a PEM file holding the content-key public key. */
    contentKeyPublicKeyFile: z.optional(nonEmpty()),
    /**
     * Target segment length: a segment closes at the first IDR at or after it. Each
     * segment is one S3 PUT, so longer segments cost less (see `npm run cost`) and shorter
     * ones cut live latency. @default 6
     */
    segmentSeconds: z._default(num(SegmentSeconds.MIN, SegmentSeconds.MAX), SegmentSeconds.DEFAULT),
    /**
     * Segment container: `ts` (MPEG-TS) or `fmp4` (fragmented MP4, CMAF-style: an init section
     * uploaded once as `init/{deviceId}/{hash}.mp4` plus `.m4s` media segments). H.265 is
     * recorded in fMP4 only (HLS players expect HEVC in fMP4): `ts` with an H.265 camera is
     * refused with a message. @default `ts` for H.264, `fmp4` for H.265 (told from the stream)
     */
    container: z.optional(z.enum(['ts', 'fmp4'])),
    /** Draw a new data key this often. @default 3600 */
    keyRotationSeconds: z._default(int(10, 7 * 86_400), 3600),
    /** Expected video bitrate, used to size the memory buffer. @default 5000 */
    expectedBitrateKbps: z._default(int(64, 100_000), 5000),
    buffer: bufferSchema,
    /** Folder for the agent's state (seq, disc-seq). */
    stateDir: nonEmpty(),
    upload: z.prefault(uploadSchema, {}),
    /**
     * While the agent has uploaded nothing for this long (an idle event-mode camera, privacy
     * pause), it PUTs a ~200-byte heartbeat to heartbeats/{deviceId}/ so the cloud knows it
     * is alive (offline is reported after 90 s of silence by default); also at start and
     * when privacy or the recording mode changes. 0 turns heartbeats off. @default 45
     */
    heartbeatSeconds: z._default(num(0, 600), Liveness.HEARTBEAT_SECONDS),
    /**
     * Pictures from ffmpeg-fed sources (RTSP, container files): one at each event start and
     * one every this many seconds, decoded from keyframes only (see sources/ffmpeg-args.ts);
     * in event mode only while an event records. 0 turns them off (`putImage` and
     * POST /v1/images still work). @default 60
     */
    imageIntervalSeconds: z._default(num(0, 86_400), 60),
    recording: z.prefault(recordingSchema, {}),
    /** Local control endpoint for the camera's motion detector. Omit to disable. */
    control: z.optional(controlSchema),
    source: z.prefault(sourceSchema, {}),
    log: z.prefault(z.strictObject({ level: z._default(z.enum([LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR]), LogLevel.INFO) }), {}),
  })
  .check(
    z.superRefine((c, ctx) => {
      if (!c.contentKeyPublicKeyPem === !c.contentKeyPublicKeyFile) {
        ctx.addIssue({ code: 'custom', path: ['contentKeyPublicKeyPem'], message: 'set exactly one of contentKeyPublicKeyPem or contentKeyPublicKeyFile' });
      }
      if ((c.source.type === 'file' || c.source.type === 'fifo') && !c.source.path) {
        ctx.addIssue({ code: 'custom', path: ['source', 'path'], message: `is required when source.type is ${c.source.type}` });
      }
      if (c.source.type === 'rtsp' && !c.source.url) {
        ctx.addIssue({ code: 'custom', path: ['source', 'url'], message: 'is required when source.type is rtsp' });
      }
      if (c.s3.endpoint && insecureS3Endpoint(c.s3.endpoint) && !c.s3.allowInsecureHttp) {
        ctx.addIssue({
          code: 'custom',
          path: ['s3', 'endpoint'],
          message: `${c.s3.endpoint} is plain http:// to a host that is not loopback: use https://, or set s3.allowInsecureHttp: true if this network is trusted`,
        });
      }
      if (c.control && c.control.port === undefined && c.control.socketPath === undefined) {
        ctx.addIssue({ code: 'custom', path: ['control'], message: 'set port (127.0.0.1) or socketPath, or omit control' });
      }
    }),
  );

/** True for an http:// URL whose host is not loopback (127.0.0.0/8, ::1, localhost); false for one that does not parse (the schema reports it). */
export function insecureS3Endpoint(endpoint: string): boolean {
  if (!URL.canParse(endpoint)) return false;
  const u = new URL(endpoint);
  if (u.protocol !== 'http:') return false;
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return !(host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host));
}

/** device.json as written (defaults optional). */
export type DeviceConfigInput = z.input<typeof deviceConfigSchema>;
/** device.json after validation, defaults filled in. */
export type DeviceConfig = z.output<typeof deviceConfigSchema>;

const SEGMENTS_IN_MEMORY = 2;

/**
 * Default memory buffer: two segments at the expected bitrate (the bitrate of the
 * muxed stream). In steady state one segment is in memory (the newest, while its PUT
 * runs); anything that waits longer goes to the disk spool, so two is enough.
 */
export function defaultMemoryBytes(c: Pick<DeviceConfig, 'segmentSeconds' | 'expectedBitrateKbps'>): number {
  const segmentBytes = (c.expectedBitrateKbps * 1000 * c.segmentSeconds) / 8;
  return Math.ceil(SEGMENTS_IN_MEMORY * segmentBytes);
}
