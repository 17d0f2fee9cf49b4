/**
 * The cloud side of `camrec local` (index, playback API and keys handlers, notifications,
 * the player's server), in one module that local-stack.ts loads with a dynamic import once
 * the cameras have started: none of it is needed to record the first segment, and loading
 * it (the Lambda code, zod schemas, the DynamoDB client) took the CPU before the cameras
 * could start. The build keeps it a chunk of its own.
 */
export { validateOfflineAfterMs } from '../../lambda/liveness/offline-watch.ts';
export { s3ObjectStore } from '../../lambda/storage/s3-object-store.ts';
export { staticTokenSecrets } from '../../lambda/token/token-secrets.ts';
export { startLocalApiServer } from '../http/local-api-server.ts';
export { createLocalNotifier } from '../notify/local-notifier.ts';
export { createLocalHandlers } from './local-handlers.ts';
export { startLocalIndexing } from './local-indexing.ts';
export { triggerCameraEvent } from './trigger-event.ts';
