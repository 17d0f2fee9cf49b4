/**
 * The fault schedule, as fixed fractions of the run so `--minutes` scales it. For the
 * default 10 minutes: network cut 2 min, S3 503 for 30 s, the IoT credential provider
 * down for the credential lifetime + 30 s (so credentials expire during the outage),
 * a kill -9 every few minutes (one of them during a spool write, one while the
 * credential provider is down). Pure: tested without a stack.
 */
export const FaultKind = {
  NETWORK_CUT: 'network cut (agents -> S3)',
  S3_503: 'S3 answers 503',
  IOT_DOWN: 'IoT credential provider down',
  KILL: 'kill -9 + restart',
  KILL_MID_SPOOL_WRITE: 'kill -9 during a spool write + restart',
  EVENT: 'motion event (control API)',
} as const;
export type FaultKindName = (typeof FaultKind)[keyof typeof FaultKind];

export interface ScheduledFault {
  readonly kind: FaultKindName;
  /** From the start of the recording phase. */
  readonly atMs: number;
  /** 0 for one-shot faults (kills, events). */
  readonly durationMs: number;
  /** Camera index for per-camera faults. */
  readonly camera?: number;
}

export const ScheduleFraction = {
  KILL_1: 0.08,
  CUT_START: 0.15,
  CUT_LENGTH: 0.2,
  /** Armed during the cut, when every segment is being spooled; fires at the next temp file. */
  KILL_MID_WRITE: 0.22,
  EVENT_1: 0.4,
  S3_503_START: 0.42,
  S3_503_LENGTH: 0.05,
  IOT_START: 0.52,
  /** Credential lifetime as a fraction of the run (clamped to 20..300 s). */
  CREDENTIAL_LIFETIME: 0.2,
  /** The outage lasts the credential lifetime plus this. */
  IOT_EXTRA: 0.05,
  KILL_DURING_IOT: 0.62,
  KILL_2: 0.85,
  EVENT_2: 0.88,
} as const;

/** Seconds the local IoT provider's credentials live for in this run. */
export function credentialLifetimeSeconds(runMs: number): number {
  return Math.min(300, Math.max(20, Math.round((runMs / 1000) * ScheduleFraction.CREDENTIAL_LIFETIME)));
}

/** The agents refresh this long before expiry (so the outage always outlives the last credentials). */
export function refreshAheadSeconds(credentialSeconds: number): number {
  return Math.max(10, Math.min(60, Math.floor(credentialSeconds / 4)));
}

export function soakSchedule(runMs: number, cameras: number): ScheduledFault[] {
  const f = ScheduleFraction;
  const at = (x: number) => Math.round(runMs * x);
  const a = 0;
  const b = cameras > 1 ? 1 : 0;
  const c = cameras > 2 ? 2 : 0;
  const credMs = credentialLifetimeSeconds(runMs) * 1000;
  const faults: ScheduledFault[] = [
    { kind: FaultKind.KILL, atMs: at(f.KILL_1), durationMs: 0, camera: a },
    { kind: FaultKind.NETWORK_CUT, atMs: at(f.CUT_START), durationMs: at(f.CUT_LENGTH) },
    { kind: FaultKind.KILL_MID_SPOOL_WRITE, atMs: at(f.KILL_MID_WRITE), durationMs: 0, camera: b },
    { kind: FaultKind.EVENT, atMs: at(f.EVENT_1), durationMs: 0, camera: c },
    { kind: FaultKind.S3_503, atMs: at(f.S3_503_START), durationMs: at(f.S3_503_LENGTH) },
    { kind: FaultKind.IOT_DOWN, atMs: at(f.IOT_START), durationMs: credMs + at(f.IOT_EXTRA) },
    { kind: FaultKind.KILL, atMs: at(f.KILL_DURING_IOT), durationMs: 0, camera: a },
    { kind: FaultKind.KILL, atMs: at(f.KILL_2), durationMs: 0, camera: b },
    { kind: FaultKind.EVENT, atMs: at(f.EVENT_2), durationMs: 0, camera: c },
  ];
  return faults.sort((x, y) => x.atMs - y.atMs);
}

/** Bytes of spool for the camera whose spool must fill during the cut: about half the cut's media, at least the agent's 1 MiB minimum. */
export function tinySpoolBytes(cutMs: number, mediaBytesPerSecond: number): number {
  return Math.max(1024 * 1024, Math.round((cutMs / 1000) * 0.5 * mediaBytesPerSecond));
}
