import { Liveness } from '../../../contract/index.ts';
import { cameraStatus, type CameraStatus } from '../../liveness/camera-status.ts';
import type { ApiDeps } from '../api-deps.ts';

/** GET /v1/cameras/{id}/status: recording / idle / offline / privacy, when it was last heard from, its newest event. Two reads: the state item and the newest event. */
export async function getCameraStatus(deps: ApiDeps, deviceId: string): Promise<CameraStatus> {
  const [state, newest] = await Promise.all([deps.index.getState(deviceId), deps.events?.newestEvent(deviceId)]);
  const targetMs = deps.config.targetDurationSeconds * 1000;
  return cameraStatus(deviceId, state, newest, deps.clock.nowMs(), {
    offlineAfterMs: deps.config.offlineAfterMs ?? Liveness.OFFLINE_AFTER_SECONDS * 1000,
    recordingWithinMs: 2 * targetMs + 5000,
  });
}
