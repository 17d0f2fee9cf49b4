import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Agent } from '../../device/agent/agent.ts';
import { createJsonLogger } from '../../device/core/json-logger.ts';
import { parseDeviceConfig, type DeviceConfigInput } from '../../device/config/index.ts';
import { SEQUENCE_FILE } from '../../device/keys/sequence-state.ts';
import { packagePath } from '../package-root.ts';
import type { CameraContext, CameraRunner, RunningCamera } from './camera-runner.ts';

/** The sample clip shipped in the repo (raw H.264 Annex B + ADTS AAC). */
export const SAMPLE_VIDEO_PATH = packagePath('samples', 'sample.h264');
export const SAMPLE_AUDIO_PATH = packagePath('samples', 'sample.aac');
/** The sample's frame rate (in its SPS; the file source reads it from there). */
export const SAMPLE_FPS = 25;

/**
 * Builds the camera's device.json the way `camrec provision` would for AWS, pointed at
 * the local stack: IoT credential provider over mutual TLS with the local CA, the S3
 * front as endpoint, the local content-key public key. Written to {dir}/device.json so
 * people can run the same camera with `camrec agent --config` against the stack.
 */
export function localDeviceConfig(ctx: CameraContext, controlPort: number): DeviceConfigInput {
  const source: DeviceConfigInput['source'] = (() => {
    const s = ctx.spec.source;
    switch (s.kind) {
      case 'sample':
        return { type: 'file', path: SAMPLE_VIDEO_PATH, audioPath: SAMPLE_AUDIO_PATH, ...(s.fps ? { fps: s.fps } : {}), loop: true };
      case 'file':
        return { type: 'file', path: s.path, ...(s.audioPath ? { audioPath: s.audioPath } : {}), ...(s.fps ? { fps: s.fps } : {}), loop: s.loop ?? false };
      case 'stdin':
        return { type: 'stdin' };
      case 'rtsp':
        return { type: 'rtsp', url: s.url, ...(s.transport ? { rtspTransport: s.transport } : {}) };
    }
  })();
  return {
    deviceId: ctx.spec.id,
    region: ctx.region,
    bucket: ctx.bucket,
    s3: { endpoint: ctx.s3Endpoint, forcePathStyle: true },
    credentials: {
      endpoint: ctx.iotEndpoint.replace(/^https:\/\//, ''),
      roleAlias: ctx.roleAlias,
      certificateFile: ctx.certPath,
      privateKeyFile: ctx.keyPath,
      caFile: ctx.caCertPath,
    },
    contentKeyPublicKeyFile: ctx.contentKeyPublicPath,
    segmentSeconds: ctx.segmentSeconds,
    ...(ctx.spec.container ? { container: ctx.spec.container } : {}),
    buffer: { spoolDir: join(ctx.dir, 'spool'), spoolMaxBytes: 256 * 1024 * 1024 },
    stateDir: join(ctx.dir, 'state'),
    upload: { concurrency: 2, retryBaseSeconds: 0.2, retryMaxSeconds: 5, requestTimeoutSeconds: 10 },
    control: { port: controlPort },
    source,
    log: { level: 'warn' },
  };
}

/**
 * A new local camera starts like a provisioned one with state, not like one that lost it:
 * seq from the clock (as after lost state) but disc-seq from 0. The agent's lost-state
 * rule also starts disc-seq from floor(nowMs / 1000), and an EXT-X-DISCONTINUITY-SEQUENCE
 * near 1.8e9 freezes hls.js 1.7's main thread (1e7 is fine), so the player would hang.
 */
export async function seedSequenceState(stateDir: string, nowMs: number): Promise<void> {
  const file = join(stateDir, SEQUENCE_FILE);
  try {
    await access(file);
    return;
  } catch {
    // first run of this camera
  }
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, JSON.stringify({ nextSeq: Math.floor(nowMs / 1000), discSeq: 0 }));
}

/** The real agent (device/) with its source and control endpoint, in this process. */
export const agentCameraRunner: CameraRunner = async (ctx): Promise<RunningCamera> => {
  await mkdir(ctx.dir, { recursive: true });
  const input = localDeviceConfig(ctx, 0);
  const config = parseDeviceConfig(input, ctx.dir);
  await writeFile(
    join(ctx.dir, 'device.json'),
    `${JSON.stringify({ ...input, credentials: { ...input.credentials, certificateFile: relative(ctx.dir, ctx.certPath), privateKeyFile: relative(ctx.dir, ctx.keyPath), caFile: relative(ctx.dir, ctx.caCertPath) }, contentKeyPublicKeyFile: relative(ctx.dir, ctx.contentKeyPublicPath) }, null, 2)}\n`,
  );
  const log = createJsonLogger({ level: config.log.level, fields: { deviceId: config.deviceId } });
  await seedSequenceState(config.stateDir, Date.now());
  // The agent starts the source and the control endpoint device.json names.
  const agent = new Agent(config, { log });
  await agent.start();
  return {
    id: ctx.spec.id,
    controlUrl: agent.controlAddress,
    // Whichever way the source hands over video (the sample clip: putVideoAssembled; stdin: pushVideo).
    recording: agent.firstVideoFrame,
    stop: () => agent.stop(),
  };
};
