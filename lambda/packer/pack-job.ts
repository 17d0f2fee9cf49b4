import { assertDeviceId } from '../../contract/index.ts';
import type { PackJob } from './create-packer.ts';
import { PackerError } from './packer-errors.ts';

/** Reads the sweep's `{deviceId, hourMs}` invoke payload; anything else is refused (and not retried into a loop). */
export function parsePackJob(event: unknown): PackJob {
  const e = (event ?? {}) as Record<string, unknown>;
  const hourMs = e.hourMs;
  if (typeof hourMs !== 'number' || !Number.isSafeInteger(hourMs) || hourMs < 0)
    throw new PackerError(`a pack job needs hourMs (whole UTC ms of the pack hour), got ${JSON.stringify(hourMs)}`);
  try {
    return { deviceId: assertDeviceId(e.deviceId), hourMs };
  } catch (cause) {
    throw new PackerError(`a pack job needs a device id: ${(cause as Error).message}`, { cause });
  }
}
