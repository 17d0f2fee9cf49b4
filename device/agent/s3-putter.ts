import { readFileSync } from 'node:fs';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { insecureS3Endpoint, type DeviceConfig } from '../config/device-config-schema.ts';
import type { Logger } from '../core/json-logger.ts';
import { IotCredentialProvider } from '../credentials/iot-credential-provider.ts';
import { createIotCredentialsFetcher, type FetchIotCredentials } from '../credentials/iot-credentials-client.ts';
import type { ByteRateLimiter } from '../link/byte-rate-limiter.ts';
import { SigV4ObjectPutter } from '../upload/sigv4-object-putter.ts';

export interface S3PutterOptions {
  readonly log: Logger;
  readonly now: () => number;
  /** The link's byte cap every PUT paces itself with. */
  readonly limiter: ByteRateLimiter;
  /** Static credentials (a LAN store) instead of the IoT credential provider. */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** Replaces the IoT fetch (the provider's cache and refresh still apply). */
  readonly fetchCredentials?: FetchIotCredentials;
  /** A device clock this far ahead of true time (tests): the signer's clock is set back by it. */
  readonly clockSkewMs?: number;
}

export interface S3Putter {
  readonly putter: SigV4ObjectPutter;
  /** The IoT credential provider, when the agent fetches its own credentials (not with static ones). */
  readonly credentials: IotCredentialProvider | undefined;
  /** Closes the putter's keep-alive sockets (at stop). */
  readonly close: () => void;
}

/**
 * The S3 side of the agent from device.json: IoT credentials over mutual TLS (unless
 * static ones are given), a SigV4 putter on the configured bucket, region and endpoint,
 * TLS verified (`s3.caFile` adds a private CA), one socket per upload worker, paced by
 * the link's cap. Warns once when the endpoint is plain http:// to another host.
 */
export function createS3Putter(c: DeviceConfig, o: S3PutterOptions): S3Putter {
  if (c.s3.endpoint && insecureS3Endpoint(c.s3.endpoint)) {
    o.log.warn(
      'S3 endpoint is plain http:// to a non-loopback host (s3.allowInsecureHttp): request signatures, metadata and wrapped keys travel unencrypted; use https://',
      { endpoint: c.s3.endpoint },
    );
  }
  let provider: IotCredentialProvider | undefined;
  let creds = o.credentials;
  if (!creds) {
    const fetch =
      o.fetchCredentials ??
      createIotCredentialsFetcher({
        endpoint: c.credentials.endpoint,
        roleAlias: c.credentials.roleAlias,
        thingName: c.deviceId,
        certificatePem: readFileSync(c.credentials.certificateFile),
        privateKeyPem: readFileSync(c.credentials.privateKeyFile),
        caPem: readFileSync(c.credentials.caFile),
        timeoutMs: c.credentials.timeoutSeconds * 1000,
      });
    provider = new IotCredentialProvider({ fetch, refreshAheadMs: c.credentials.refreshAheadSeconds * 1000, now: o.now, log: o.log });
    creds = provider.provide;
  }
  const putter = new SigV4ObjectPutter({
    bucket: c.bucket,
    region: c.region,
    endpoint: c.s3.endpoint,
    forcePathStyle: c.s3.forcePathStyle,
    extraCaPem: c.s3.caFile ? readFileSync(c.s3.caFile, 'utf8') : undefined,
    credentials: creds,
    requestTimeoutMs: c.upload.requestTimeoutSeconds * 1000,
    onCredentialsRejected: () => provider?.invalidate(),
    systemClockOffsetMs: o.clockSkewMs,
    maxSockets: c.upload.concurrency,
    limiter: o.limiter,
  });
  return { putter, credentials: provider, close: () => putter.destroy() };
}
