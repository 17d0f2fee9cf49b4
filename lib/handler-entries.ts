import { fileURLToPath } from 'node:url';

/**
 * The Lambda handler entry files, by path only: lib/ never imports lambda/ code, it
 * hands these files to esbuild (NodejsFunction). Each exports `handler`.
 */
const entry = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export const HandlerEntry = {
  /** S3 ObjectCreated -> DynamoDB index. */
  INDEXER: entry('../lambda/indexer/handler.ts'),
  /** HTTP API: sessions, timeline, playlists, segment redirects. */
  API: entry('../lambda/api/handler.ts'),
  /** HTTP API: GET /v1/sessions/{token}/keys/{keyId}; the only function allowed kms:Decrypt. */
  KEYS: entry('../lambda/keys/handler.ts'),
  /** SQS watch messages -> camera offline notifications. */
  OFFLINE_CHECKER: entry('../lambda/liveness/handler.ts'),
  /** Async invoke {deviceId, hourMs}: packs one camera-hour into a colder pack. */
  PACKER: entry('../lambda/packer/handler.ts'),
  /** Async invoke {clip request}: exports a range as one MP4 under clips/. */
  CLIP_EXPORT: entry('../lambda/clips/handler.ts'),
  /** Every few minutes: finds due pack hours (open-hours index) and invokes the packer. */
  SWEEPER: entry('../lambda/sweeper/handler.ts'),
} as const;

/** The repository root (where package-lock.json lives), for esbuild's project root. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
