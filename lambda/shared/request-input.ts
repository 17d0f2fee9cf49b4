import { MAX_TIME_MS, assertDeviceId } from '../../contract/index.ts';
import { BadRequestError } from './playback-error.ts';

/** ISO 8601 date-time with a zone, e.g. 2026-01-02T03:04:05Z or 2026-01-02T03:04:05.123+01:00. */
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = MAX_TIME_MS;

export function parseIsoMs(name: string, value: unknown): number {
  if (typeof value !== 'string' || !ISO_RE.test(value)) {
    throw new BadRequestError(
      'bad_time',
      `${name} must be an ISO 8601 date-time with a zone, e.g. 2026-01-02T03:04:05Z; got ${JSON.stringify(String(value).slice(0, 40))}`,
    );
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS)
    throw new BadRequestError('bad_time', `${name} ${JSON.stringify(value)} is not a date between 2000 and 9999`);
  return ms;
}

/** Path parameters arrive percent-encoded; a broken escape is the client's error. */
export function decodePathParam(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestError('bad_path', `${name} in the path is not valid percent-encoding`);
  }
}

export function cameraIdFromPath(raw: string): string {
  const id = decodePathParam('camera id', raw);
  try {
    return assertDeviceId(id);
  } catch (e) {
    throw new BadRequestError('bad_camera_id', (e as Error).message);
  }
}
