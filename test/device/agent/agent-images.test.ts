import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ImageMeta, parseImageMetadata, parseObjectKey, unwrapDataKeyLocally } from '../../../contract/index.ts';
import type { Agent } from '../../../device/agent/agent.ts';
import { ControlError } from '../../../device/core/agent-errors.ts';
import { makeJpeg } from '../../support/jpeg-fixture.ts';
import { DEVICE_ID, getObject, listKeys, until, type Stack } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

/** Fetches a stored picture, unwraps its data key with the deployment's private key and decrypts it. */
async function openStoredImage(stack: Stack, key: string): Promise<{ stored: Buffer; plain: Buffer; metadata: Record<string, string>; contentType?: string }> {
  const { body, metadata, contentType } = await getObject(stack, key);
  const meta = parseImageMetadata(metadata);
  const wrapped = await getObject(stack, `keys/${DEVICE_ID}/${meta.keyId}.bin`);
  const dataKey = unwrapDataKeyLocally(stack.contentPrivateKey, wrapped.body, { deviceId: DEVICE_ID, keyId: meta.keyId });
  const d = createDecipheriv('aes-128-cbc', dataKey, Buffer.from(meta.iv, 'hex'));
  return { stored: body, plain: Buffer.concat([d.update(body), d.final()]), metadata, contentType };
}

/** POSTs raw bytes to the control endpoint. */
async function postImage(address: string, body: Buffer, contentType = 'image/jpeg', query = ''): Promise<{ status: number; json: any }> {
  const r = await fetch(`${address}/v1/images${query}`, { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) });
  return { status: r.status, json: await r.json() };
}

describe('pictures from the camera (library and control endpoint), against s3rver + S3 front + IoT provider', () => {
  let jpeg: Buffer;
  let agent: Agent | undefined;
  const stack = useAgentStack({
    beforeAll: () => {
      jpeg = makeJpeg();
    },
    beforeAllTimeoutMs: 60_000,
  });

  it('putImage stores the picture encrypted under images/{deviceId}/ (not a JPEG at rest); the data key opens it to the very same JPEG', async () => {
    agent = await stack.startAgent(stack.config({ heartbeatSeconds: 0 }));
    const tsMs = Date.now() - 1234;
    const objectKey = await agent.putImage(jpeg, tsMs);
    expect(objectKey).toMatch(new RegExp(`^images/${DEVICE_ID}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/${tsMs}-[0-9a-f]{16}\\.jpg$`));
    await until('the picture in S3', async () => (await listKeys(stack, 'images')).includes(objectKey!), 15_000);
    const { stored, plain, metadata, contentType } = await openStoredImage(stack, objectKey!);
    expect(stored.subarray(0, 2).equals(Buffer.of(0xff, 0xd8))).toBe(false);
    expect(stored.includes(jpeg.subarray(0, 64))).toBe(false);
    expect(stored.length % 16).toBe(0);
    expect(contentType).toBe('application/octet-stream');
    expect(plain.equals(jpeg)).toBe(true);
    expect(metadata[ImageMeta.TS_MS]).toBe(String(tsMs));
    expect(metadata[ImageMeta.EVENT_ID]).toBeUndefined();
    expect(parseObjectKey(objectKey!)).toMatchObject({ kind: 'image', deviceId: DEVICE_ID, tsMs, event: false });
    await until('the counters', () => agent!.status().imagesUploaded === 1);
    expect(agent.status().imagesRecorded).toBe(1);
  });

  it('a picture taken during an event goes under event-images/ (kept as long as event footage) and names the event', async () => {
    agent = await stack.startAgent(stack.config({ heartbeatSeconds: 0 }));
    const eventId = agent.startEvent('doorbell', { eventId: 'ring-7' });
    const objectKey = await agent.putImage(jpeg);
    expect(objectKey).toMatch(new RegExp(`^event-images/${DEVICE_ID}/`));
    await until('the event picture in S3', async () => (await listKeys(stack, 'event-images')).includes(objectKey!), 15_000);
    const { plain, metadata } = await openStoredImage(stack, objectKey!);
    expect(plain.equals(jpeg)).toBe(true);
    expect(metadata[ImageMeta.EVENT_ID]).toBe(eventId);
  });

  it('refuses what is not a whole JPEG of at most 1 MiB, saying what is wrong; nothing is uploaded', async () => {
    agent = await stack.startAgent(stack.config({ heartbeatSeconds: 0 }));
    const before = (await listKeys(stack, 'images')).length;
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect(() => agent!.putImage(png)).toThrow(ControlError);
    expect(() => agent!.putImage(png)).toThrow(/not a JPEG: it does not start with the SOI marker/);
    expect(() => agent!.putImage(jpeg.subarray(0, jpeg.length - 100))).toThrow(/cut short: it does not end with the EOI marker/);
    expect(() => agent!.putImage(new Uint8Array(0))).toThrow(/empty/);
    const huge = Buffer.concat([jpeg.subarray(0, 4), Buffer.alloc(1024 * 1024), Buffer.of(0xff, 0xd9)]);
    expect(() => agent!.putImage(huge)).toThrow(/over the limit of 1048576: send a smaller JPEG/);
    expect(() => agent!.putImage(jpeg, Number.NaN)).toThrow(/tsMs must be UTC ms/);
    // Zero padding after EOI (some encoders pad to a word) is still a JPEG.
    expect(await agent.putImage(Buffer.concat([jpeg, Buffer.alloc(3)]))).toMatch(/^images\//);
    await until('the padded picture', async () => (await listKeys(stack, 'images')).length === before + 1);
    expect(agent.status().imagesRecorded).toBe(1);
  });

  it('POST /v1/images takes a JPEG (201 with its object key); a wrong type is 415, a bad JPEG 400, an oversized one 413', async () => {
    agent = await stack.startAgent(stack.config({ heartbeatSeconds: 0, control: { port: 0 } }));
    const tsMs = Date.now() - 500;
    const ok = await postImage(agent.controlAddress!, jpeg, 'image/jpeg', `?ts=${tsMs}`);
    expect(ok.status).toBe(201);
    expect(ok.json.objectKey).toMatch(new RegExp(`^images/${DEVICE_ID}/.*/${tsMs}-[0-9a-f]{16}\\.jpg$`));
    await until('the posted picture in S3', async () => (await listKeys(stack, 'images')).includes(ok.json.objectKey));
    expect((await openStoredImage(stack, ok.json.objectKey)).plain.equals(jpeg)).toBe(true);

    const json = await postImage(agent.controlAddress!, jpeg, 'application/json');
    expect(json.status).toBe(415);
    expect(json.json.error.message).toMatch(/image\/jpeg/);
    const bad = await postImage(agent.controlAddress!, Buffer.from('GIF89a-not-a-jpeg'));
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/not a JPEG/);
    const badTs = await postImage(agent.controlAddress!, jpeg, 'image/jpeg', '?ts=yesterday');
    expect(badTs.status).toBe(400);
    expect(badTs.json.error.message).toMatch(/query "ts" must be the picture's time in UTC ms/);
    const big = await postImage(agent.controlAddress!, Buffer.alloc(1024 * 1024 + 1, 0xff));
    expect(big.status).toBe(413);
    expect(agent.status().imagesRecorded).toBe(1);
  });

  it('in privacy pause a picture is not recorded (the endpoint says so)', async () => {
    agent = await stack.startAgent(stack.config({ heartbeatSeconds: 0, control: { port: 0 } }));
    agent.setPrivacy(true);
    expect(await agent.putImage(jpeg)).toBeUndefined();
    const r = await postImage(agent.controlAddress!, jpeg);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ recorded: false });
    expect(agent.status().imagesRecorded).toBe(0);
  });
});
