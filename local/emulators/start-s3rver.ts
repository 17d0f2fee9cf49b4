import type { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';

const require = createRequire(import.meta.url);

/** The one key pair s3rver accepts out of the box. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const EMULATOR_REGION = 'us-east-1';

export interface S3rverOptions {
  bucketName: string;
  /** Where objects live; default a fresh temp dir removed on close. */
  directory?: string;
  /** Default 127.0.0.1. Port is always chosen by the OS. */
  address?: string;
}

export interface RunningS3rver {
  endpoint: string;
  bucketName: string;
  directory: string;
  /** s3rver's emitter: `on('event', (e: S3Event) => ...)` for every PUT/POST/COPY/DELETE. */
  events: EventEmitter;
  /** An S3 client set up for s3rver: path style, s3rver's keys, checksums only when required. */
  createClient(): S3Client;
  close(): Promise<void>;
}

type S3rverInstance = EventEmitter & { run(): Promise<{ port: number }>; close(): Promise<void> };
type S3rverCtor = new (opts: Record<string, unknown>) => S3rverInstance;

export type S3rverEvent = S3Event;

/** An S3 client for an emulator endpoint, with the settings s3rver needs (and a user agent to tell its requests apart, if given). */
export function emulatorS3Client(endpoint: string, userAgent?: string): S3Client {
  return new S3Client({
    ...(userAgent ? { customUserAgent: userAgent } : {}),
    endpoint,
    region: EMULATOR_REGION,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    // Otherwise the SDK sends aws-chunked bodies with trailing checksums and s3rver stores the framing.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Starts s3rver in process on a free port with the bucket created. */
export async function startS3rver(options: S3rverOptions): Promise<RunningS3rver> {
  const S3rver = require('s3rver') as S3rverCtor;
  const ownDir = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'camrec-s3rver-')));
  const address = options.address ?? '127.0.0.1';
  const server = new S3rver({ address, port: 0, silent: true, directory, configureBuckets: [{ name: options.bucketName, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://${address}:${port}`;
  return {
    endpoint,
    bucketName: options.bucketName,
    directory,
    events: server,
    createClient: () => emulatorS3Client(endpoint),
    async close() {
      await server.close();
      if (ownDir) await rm(directory, { recursive: true, force: true });
    },
  };
}
