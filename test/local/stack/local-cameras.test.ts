import { describe, expect, test } from 'vitest';
import type { LoadedPki } from '../../../local/pki/pki-files.ts';
import type { CameraRunner } from '../../../local/stack/camera-runner.ts';
import { startLocalCameras } from '../../../local/stack/local-cameras.ts';

/** Only what startLocalCameras reads: each camera's certificate paths. */
const pki = {
  paths: { caCertPath: '/pki/ca.pem', devices: new Map([['cam-1', { certPath: '/pki/cam-1.pem', keyPath: '/pki/cam-1.key' }]]) },
} as unknown as LoadedPki;

function cameras(runCamera: CameraRunner) {
  return startLocalCameras({
    specs: [{ id: 'cam-1', source: { kind: 'sample' } }],
    runCamera,
    dataDir: '/data',
    pki,
    contentKeyPublicPath: '/data/content-key/public.pem',
    s3Endpoint: 'http://127.0.0.1:1',
    iotEndpoint: 'https://127.0.0.1:2',
    segmentSeconds: 2,
    log: () => {},
  });
}

describe('camrec local waits for its cameras to record before loading the emulators', () => {
  test('recording() settles when every camera has handed over its first frame, not when it merely started', async () => {
    let firstFrame!: () => void;
    const recording = new Promise<void>((r) => (firstFrame = r));
    const running = cameras(async () => ({ id: 'cam-1', controlUrl: undefined, recording, stop: async () => {} }));
    await running.starting;
    let settled = false;
    const waited = running.recording(60_000).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    firstFrame();
    await waited;
    expect(settled).toBe(true);
  });

  test('a camera whose first frame does not come (an RTSP camera that does not answer) holds it no longer than the bound', async () => {
    const running = cameras(async () => ({ id: 'cam-1', controlUrl: undefined, recording: new Promise<void>(() => {}), stop: async () => {} }));
    const t0 = performance.now();
    await running.recording(100);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
  });

  test('a camera that could not start does not hold it either', async () => {
    const running = cameras(async () => {
      throw new Error('no such file');
    });
    await expect(running.starting).rejects.toThrow('no such file');
    await running.recording(60_000);
  });
});
