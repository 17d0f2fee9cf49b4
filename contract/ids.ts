import { ContractError } from './contract-error.ts';

/**
 * A device id is the AWS IoT thing name: 1..128 of [A-Za-z0-9_:-] (the IoT rule for
 * thing names). It is the first path element under every top folder of the bucket, so
 * IAM scopes a device with `${credentials-iot:ThingName}`. Nothing else ever gets into
 * a key, so no id can walk out of its prefix ('/', '..', '%', spaces are all refused).
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_:-]{1,128}$/;
/** A content-key id: 32 lowercase hex digits (16 random bytes). */
export const KEY_ID_PATTERN = /^[0-9a-f]{32}$/;
/** An fMP4 init section id: 32 lowercase hex digits (the first 16 bytes of the SHA-256 of its bytes). */
export const INIT_ID_PATTERN = /^[0-9a-f]{32}$/;
/** An event id: 1..64 of [A-Za-z0-9-]. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;
/** A picture's id, drawn by the device: 1..32 of [A-Za-z0-9] (no '-': a picture's name is `{tsMs}-{imageId}`). */
export const IMAGE_ID_PATTERN = /^[A-Za-z0-9]{1,32}$/;
/** An event type, e.g. `motion`, `person`, `doorbell`: 1..32 of [a-z0-9_-]. */
export const EVENT_TYPE_PATTERN = /^[a-z0-9_-]{1,32}$/;

function check(kind: string, value: unknown, pattern: RegExp, rule: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new ContractError(`invalid ${kind} ${shown}: must be ${rule}`);
  }
  return value;
}

export const assertDeviceId = (v: unknown): string => check('device id', v, DEVICE_ID_PATTERN, '1-128 characters of A-Z a-z 0-9 _ : - (an AWS IoT thing name)');
export const assertKeyId = (v: unknown): string => check('key id', v, KEY_ID_PATTERN, '32 lowercase hex digits');
export const assertInitId = (v: unknown): string =>
  check('init id', v, INIT_ID_PATTERN, '32 lowercase hex digits (the SHA-256 of the init section, first 16 bytes)');
export const assertEventId = (v: unknown): string => check('event id', v, EVENT_ID_PATTERN, '1-64 characters of A-Z a-z 0-9 -');
export const assertEventType = (v: unknown): string => check('event type', v, EVENT_TYPE_PATTERN, '1-32 characters of a-z 0-9 _ -');
export const assertImageId = (v: unknown): string => check('image id', v, IMAGE_ID_PATTERN, '1-32 characters of A-Z a-z 0-9');
