import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { agentCameraRunner } from '../../../local/stack/agent-camera-runner.ts';
import type { CameraContext } from '../../../local/stack/camera-runner.ts';
import { BUCKET, DEVICE_ID, listKeys } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';
import { until } from '../../support/until.ts';

describe("camrec local's camera runner", () => {
  const stack = useAgentStack();

  test('the sample camera says it is recording once its first frame is in, before its first segment is uploaded', async () => {
    const ctx: CameraContext = {
      spec: { id: DEVICE_ID, source: { kind: 'sample' } },
      dir: join(stack.dir, 'local-cam'),
      region: 'us-east-1',
      bucket: BUCKET,
      s3Endpoint: stack.front.endpoint,
      iotEndpoint: stack.iot.endpoint,
      roleAlias: 'camrec-device',
      caCertPath: join(stack.dir, 'ca.pem'),
      certPath: join(stack.dir, 'device.crt'),
      keyPath: join(stack.dir, 'device.key'),
      contentKeyPublicPath: join(stack.dir, 'content-key.pub.pem'),
      segmentSeconds: 1,
      log: () => {},
    };
    const camera = await agentCameraRunner(ctx);
    try {
      // The stack loads its emulators once `recording` settles (else after a 1 s bound): a signal
      // that missed the source's way of handing over frames left every start waiting the bound.
      const firstUpload = until('the first segment in the bucket', async () => ((await listKeys(stack, 'segments')).length > 0 ? true : undefined), 30_000);
      const first = await Promise.race([camera.recording!.then(() => 'recording'), firstUpload.then(() => 'segment uploaded')]);
      expect(first).toBe('recording');
      await firstUpload;
    } finally {
      await camera.stop();
    }
  }, 60_000);
});
