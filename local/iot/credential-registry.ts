import { randomBytes } from 'node:crypto';

/**
 * Who holds which temporary credentials in local mode. The local IoT credential provider
 * issues device credentials here; the local S3 front looks callers up here to check their
 * SigV4 signatures, their expiry and which thing they belong to.
 */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Absolute expiry, ms since the epoch. */
  readonly expiresAtMs: number;
}

export type Principal =
  /**
   * A camera, with the thing name it sent in x-amzn-iot-thingname (checked as attached to
   * its certificate) and that thing's type; both undefined when no thing name was sent, as
   * the credential provider leaves credentials-iot:ThingName/ThingTypeName unset then.
   */
  | { readonly kind: 'device'; readonly thingName: string | undefined; readonly thingTypeName: string | undefined }
  /** The cloud side in local mode (indexer, playback API): may read the bucket. */
  | { readonly kind: 'service'; readonly name: string };

export interface RegisteredCredentials extends TemporaryCredentials {
  readonly principal: Principal;
}

const ACCESS_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Effectively never: service credentials in local mode do not expire. */
const FAR_FUTURE_MS = Date.UTC(9999, 0, 1);

/** `ASIA` + 16 characters, the shape of an STS temporary access key id. */
function newAccessKeyId(prefix: string): string {
  const bytes = randomBytes(16);
  let id = prefix;
  for (const b of bytes) id += ACCESS_KEY_ALPHABET[b & 31];
  return id;
}

export class CredentialRegistry {
  readonly #byAccessKey = new Map<string, RegisteredCredentials>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Fresh temporary credentials for a device, valid for `durationSeconds`. */
  issueDevice(thing: { thingName: string; thingTypeName: string | undefined } | undefined, durationSeconds: number): RegisteredCredentials {
    // Whole seconds: the provider reports expiry as an ISO time without milliseconds.
    const expiresAtMs = Math.floor((this.#now() + durationSeconds * 1000) / 1000) * 1000;
    return this.#add({ kind: 'device', thingName: thing?.thingName, thingTypeName: thing ? thing.thingTypeName : undefined }, 'ASIA', expiresAtMs);
  }

  /** Long-lived credentials for a local service principal (reads allowed). */
  issueService(name: string, fixed?: { accessKeyId: string; secretAccessKey: string }): RegisteredCredentials {
    if (fixed) {
      const creds: RegisteredCredentials = { ...fixed, sessionToken: '', expiresAtMs: FAR_FUTURE_MS, principal: { kind: 'service', name } };
      this.#byAccessKey.set(fixed.accessKeyId, creds);
      return creds;
    }
    return this.#add({ kind: 'service', name }, 'AKIA', FAR_FUTURE_MS);
  }

  lookup(accessKeyId: string): RegisteredCredentials | undefined {
    return this.#byAccessKey.get(accessKeyId);
  }

  /** Drops credentials that expired more than `graceMs` ago (keeps the map small on long runs). */
  prune(graceMs = 3_600_000): void {
    const cutoff = this.#now() - graceMs;
    for (const [id, c] of this.#byAccessKey) if (c.expiresAtMs < cutoff) this.#byAccessKey.delete(id);
  }

  #add(principal: Principal, prefix: string, expiresAtMs: number): RegisteredCredentials {
    const creds: RegisteredCredentials = {
      accessKeyId: newAccessKeyId(prefix),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: principal.kind === 'device' ? randomBytes(96).toString('base64') : '',
      expiresAtMs,
      principal,
    };
    this.#byAccessKey.set(creds.accessKeyId, creds);
    return creds;
  }
}
