import { DEVICE_FOLDERS, devicePrefix } from '../../contract/index.ts';

/**
 * The device's S3 permissions in local mode, as one pure function, so it can be compared
 * with the IAM policy the CDK stack gives the IoT role alias. In IAM terms:
 *
 *   Allow s3:PutObject on
 *     arn:aws:s3:::{bucket}/segments/${credentials-iot:ThingName}/*
 *     arn:aws:s3:::{bucket}/init/${credentials-iot:ThingName}/*
 *     arn:aws:s3:::{bucket}/keys/${credentials-iot:ThingName}/*
 *     arn:aws:s3:::{bucket}/events/${credentials-iot:ThingName}/*
 *     arn:aws:s3:::{bucket}/heartbeats/${credentials-iot:ThingName}/*
 *   Condition: credentials-iot:ThingTypeName = the deployment's camera thing type
 *   Condition: s3:if-none-match = "*"  (write-once: a PUT that could overwrite is denied)
 *
 * and nothing else: no GetObject, ListBucket, DeleteObject, CopyObject, ACLs, or any
 * other bucket. Without a thing name (the credential request sent no
 * x-amzn-iot-thingname) the policy variables do not resolve, so nothing is allowed; a
 * thing of another type is allowed nothing either.
 *
 * The key is checked exactly as given (the front forwards exactly this key): S3 keys
 * are literal, so a key with backslashes or `.`/`..` segments is refused outright rather
 * than normalised, and nothing can reach another camera's prefix by spelling.
 */
export const S3Action = {
  PUT_OBJECT: 's3:PutObject',
  GET_OBJECT: 's3:GetObject',
  LIST_BUCKET: 's3:ListBucket',
  DELETE_OBJECT: 's3:DeleteObject',
  /** Anything else the front does not model (bucket configuration, ACLs, copies, multipart listing...). */
  OTHER: 'other',
} as const;
export type S3ActionName = (typeof S3Action)[keyof typeof S3Action];

export interface DeviceRequest {
  /** The thing name the credentials were issued for, if any. */
  readonly thingName: string | undefined;
  /** That thing's type, as the credential provider saw it (undefined without a thing name, or for a thing with no type). */
  readonly thingTypeName: string | undefined;
  readonly action: S3ActionName;
  readonly bucket: string;
  /** Object key, URL-decoded; undefined for bucket-level requests. */
  readonly key: string | undefined;
  /** The request's If-None-Match header, if sent. */
  readonly ifNoneMatch: string | undefined;
  /** Whether the request copies from another object (x-amz-copy-source). */
  readonly isCopy: boolean;
}

export type PolicyDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** The folders a device may write under, each followed by `{thingName}/` (the contract's one list). */
export const DEVICE_WRITABLE_FOLDERS = DEVICE_FOLDERS;

/** What the device role's policy names: the bucket and the camera thing type. */
export interface DevicePolicyScope {
  readonly bucket: string;
  readonly thingTypeName: string;
}

/** A key with a backslash, or a `.` or `..` path segment: refused, never normalised. */
export function unsafeKeyProblem(key: string): string | undefined {
  if (key.includes('\\')) return 'object keys with backslashes are refused';
  if (key.split('/').some((part) => part === '.' || part === '..')) return 'object keys with . or .. segments are refused';
  return undefined;
}

export function deviceMay(scope: DevicePolicyScope, req: DeviceRequest): PolicyDecision {
  const { bucket } = scope;
  if (req.bucket !== bucket) return { allowed: false, reason: `devices may only write to bucket ${bucket}` };
  if (!req.thingName) return { allowed: false, reason: 'the credentials carry no thing name (request them with the x-amzn-iot-thingname header)' };
  if (req.thingTypeName !== scope.thingTypeName) {
    return {
      allowed: false,
      reason: `thing ${req.thingName} is of type ${req.thingTypeName ?? '(none)'}; only things of type ${scope.thingTypeName} may write (credentials-iot:ThingTypeName)`,
    };
  }
  if (req.action !== S3Action.PUT_OBJECT || req.isCopy)
    return { allowed: false, reason: `devices may only PutObject, not ${req.isCopy ? 'CopyObject' : req.action}` };
  const key = req.key ?? '';
  const unsafe = unsafeKeyProblem(key);
  if (unsafe) return { allowed: false, reason: unsafe };
  const prefixes = DEVICE_WRITABLE_FOLDERS.map((f) => devicePrefix(f, req.thingName!));
  if (!prefixes.some((p) => key.startsWith(p) && key.length > p.length)) {
    return { allowed: false, reason: `thing ${req.thingName} may only write under ${prefixes.join(', ')}` };
  }
  if (req.ifNoneMatch?.trim() !== '*')
    return { allowed: false, reason: 'devices must PUT with If-None-Match: * (objects are written once, never overwritten)' };
  return { allowed: true };
}
