import type { AwsCredentialIdentity } from '@smithy/types';
import { CredentialsError } from '../core/agent-errors.ts';
import { silentLogger, type Logger } from '../core/json-logger.ts';
import { fullJitterDelayMs } from '../core/backoff.ts';
import type { FetchIotCredentials, IotCredentials } from './iot-credentials-client.ts';

export interface IotCredentialProviderOptions {
  fetch: FetchIotCredentials;
  /** Refresh when the credentials have less than this left. @default 300_000 */
  refreshAheadMs?: number;
  /** Backoff after a failed refresh: full jitter from this base, doubling. @default 1000 */
  backoffBaseMs?: number;
  /**
   * Longest wait between refresh attempts. With full jitter a fleet averages half of it,
   * so after an outage cameras resume within ~10 s without stampeding the endpoint.
   * @default 20_000
   */
  backoffMaxMs?: number;
  now?: () => number;
  random?: () => number;
  log?: Logger;
}

/**
 * The SDK memoizes identities and only asks again when one has under 5 minutes left
 * (@smithy/core EXPIRATION_MS). We report at most this much lifetime to the SDK so it
 * asks us before every request and our cache, refresh and invalidate stay in charge.
 */
const SDK_VISIBLE_LIFETIME_MS = 240_000;

interface Cached {
  creds: IotCredentials;
  /** Expiry on OUR clock: receipt time + (expiration - provider's Date), so clock skew does not matter. */
  localExpiresAtMs: number;
}

/**
 * An AWS SDK credential provider backed by the AWS IoT credential provider. Caches,
 * refreshes ahead of expiry in the background, keeps serving the last good credentials
 * (with a warning) while a refresh fails, and backs off with jitter between failures.
 * Throws a retryable CredentialsError only when it has nothing unexpired to give.
 */
export class IotCredentialProvider {
  private cached: Cached | undefined;
  private inflight: Promise<Cached> | undefined;
  private failures = 0;
  private nextAttemptAtMs = 0;
  private lastError: Error | undefined;
  private readonly refreshAheadMs: number;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly o: IotCredentialProviderOptions) {
    this.refreshAheadMs = o.refreshAheadMs ?? 300_000;
    this.now = o.now ?? Date.now;
    this.log = o.log ?? silentLogger;
  }

  /** Pass as `credentials` to an SDK client. */
  readonly provide = async (): Promise<AwsCredentialIdentity> => {
    const now = this.now();
    const c = this.cached;
    if (c && now < c.localExpiresAtMs - this.refreshAheadMs) return this.identity(c, now);
    if (c && now < c.localExpiresAtMs) {
      if (now >= this.nextAttemptAtMs) void this.refresh().catch(() => {});
      return this.identity(c, now);
    }
    if (now < this.nextAttemptAtMs && !this.inflight) {
      throw new CredentialsError(
        `no valid credentials: the last refresh failed (${this.lastError?.message ?? 'unknown'}); next attempt in ${this.nextAttemptAtMs - now} ms`,
        { cause: this.lastError, retryable: true },
      );
    }
    return this.identity(await this.refresh(), this.now());
  };

  /** Forget the cached credentials (S3 said they expired or are invalid). */
  invalidate(): void {
    if (this.cached) this.log.warn('credentials rejected; fetching new ones', { expiresAt: new Date(this.cached.localExpiresAtMs).toISOString() });
    this.cached = undefined;
    this.nextAttemptAtMs = 0;
  }

  /** When the current credentials expire (our clock), if we have any. */
  get expiresAt(): Date | undefined {
    return this.cached ? new Date(this.cached.localExpiresAtMs) : undefined;
  }

  get lastRefreshError(): Error | undefined {
    return this.lastError;
  }

  private identity(c: Cached, now: number): AwsCredentialIdentity {
    return {
      accessKeyId: c.creds.accessKeyId,
      secretAccessKey: c.creds.secretAccessKey,
      sessionToken: c.creds.sessionToken,
      expiration: new Date(Math.min(c.localExpiresAtMs, now + SDK_VISIBLE_LIFETIME_MS)),
    };
  }

  private refresh(): Promise<Cached> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchOnce(): Promise<Cached> {
    const sentAt = this.now();
    try {
      const creds = await this.o.fetch();
      const receivedAt = this.now();
      const lifetimeMs = creds.expirationMs - (creds.serverDateMs ?? sentAt);
      if (creds.serverDateMs !== undefined && Math.abs(creds.serverDateMs - receivedAt) > 60_000) {
        this.log.warn('device clock differs from the credential provider; using the provider-relative lifetime', { skewMs: receivedAt - creds.serverDateMs });
      }
      if (lifetimeMs <= 0) throw new CredentialsError('the IoT credential provider returned credentials that are already expired', { retryable: true });
      const cached = { creds, localExpiresAtMs: sentAt + lifetimeMs };
      this.cached = cached;
      this.failures = 0;
      this.nextAttemptAtMs = 0;
      this.lastError = undefined;
      this.log.info('credentials refreshed', { expiresAt: new Date(cached.localExpiresAtMs).toISOString() });
      return cached;
    } catch (err) {
      const delay = fullJitterDelayMs(this.failures++, this.o.backoffBaseMs ?? 1000, this.o.backoffMaxMs ?? 20_000, this.o.random);
      this.nextAttemptAtMs = this.now() + delay;
      this.lastError = err as Error;
      const level = this.cached && this.now() < this.cached.localExpiresAtMs ? 'warn' : 'error';
      this.log[level](this.cached ? 'credential refresh failed; keeping the last good credentials' : 'credential refresh failed', {
        err,
        retryInMs: delay,
        ...(this.cached ? { lastGoodExpiresAt: new Date(this.cached.localExpiresAtMs).toISOString() } : {}),
      });
      throw err instanceof CredentialsError
        ? err
        : new CredentialsError(`credential refresh failed: ${(err as Error).message}`, { cause: err, retryable: true });
    }
  }
}
