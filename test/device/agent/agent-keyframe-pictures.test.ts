import { execFileSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageMetadata, parseObjectKey, unwrapDataKeyLocally } from '../../../contract/index.ts';
import type { Agent } from '../../../device/agent/agent.ts';
import { makeCodedStream } from '../../fixtures/coded-streams.ts';
import { FFMPEG } from '../../fixtures/h264-streams.ts';
import { DEVICE_ID, getObject, listKeys, until, type Stack } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

/**
 * The ffmpeg keyframe picture path, end to end: a container file (H.264 with B-frames, a
 * keyframe every second) read by the agent's ffmpeg child in real time, pictures kept once
 * per `imageIntervalSeconds` and at an event's start, uploaded encrypted; each one, once
 * decrypted, is a JPEG ffprobe reads (mjpeg, 320 px wide), at the expected interval.
 */
const INTERVAL_S = 2;

interface Picture {
  key: string;
  tsMs: number;
  width: number;
  height: number;
  codec: string;
  event: boolean;
}

async function readPictures(stack: Stack, folder: 'images' | 'event-images'): Promise<Picture[]> {
  const out: Picture[] = [];
  for (const key of await listKeys(stack, folder)) {
    const { body, metadata } = await getObject(stack, key);
    const meta = parseImageMetadata(metadata);
    const wrapped = await getObject(stack, `keys/${DEVICE_ID}/${meta.keyId}.bin`);
    const dataKey = unwrapDataKeyLocally(stack.contentPrivateKey, wrapped.body, { deviceId: DEVICE_ID, keyId: meta.keyId });
    const d = createDecipheriv('aes-128-cbc', dataKey, Buffer.from(meta.iv, 'hex'));
    const file = join(stack.dir, `${meta.tsMs}.jpg`);
    writeFileSync(file, Buffer.concat([d.update(body), d.final()]));
    const probe = JSON.parse(
      execFileSync('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', file]).toString(),
    ) as { streams: { codec_name: string; width: number; height: number }[] };
    const s = probe.streams[0]!;
    const parsed = parseObjectKey(key);
    out.push({ key, tsMs: meta.tsMs, width: s.width, height: s.height, codec: s.codec_name, event: parsed.kind === 'image' && parsed.event });
  }
  return out.sort((a, b) => a.tsMs - b.tsMs);
}

describe('keyframe pictures from an ffmpeg-fed source (container file, real time)', () => {
  let agent: Agent | undefined;
  let clip: string;
  const stack = useAgentStack({
    beforeAll: (s) => {
      const stream = makeCodedStream(s.dir, 'camera', { codec: 'h264', width: 640, height: 360, fps: '25', seconds: 11, gopFrames: 25, bFrames: 2 });
      // The same pictures in an MP4 (B-frames kept), the container a camera's recorder writes.
      clip = join(s.dir, 'camera.mp4');
      execFileSync(FFMPEG, ['-v', 'error', '-y', '-i', stream.ts, '-map', '0:v', '-c', 'copy', clip]);
    },
    beforeAllTimeoutMs: 60_000,
  });

  it(`keeps one picture per ${INTERVAL_S} s and one at the event start; each decrypts to a 320 px JPEG ffprobe reads`, async () => {
    agent = await stack.startAgent(stack.config({ heartbeatSeconds: 0, imageIntervalSeconds: INTERVAL_S, source: { type: 'file', path: clip } }));
    await until('video recording', () => agent!.status().segmentsRecorded >= 2, 30_000);
    const eventId = agent.startEvent('motion', { eventId: 'kf-1' });
    await until('an event picture', async () => (await listKeys(stack, 'event-images')).length >= 1, 20_000);
    agent.stopEvent();
    await until('the file played to its end (11 s in 1 s segments, the last one cut at its end)', () => agent!.status().segmentsRecorded >= 10, 60_000);
    await until('pictures uploaded', () => agent!.status().imagesUploaded === agent!.status().imagesRecorded, 20_000);
    await agent.stop();
    agent = undefined;

    // Pictures taken while the event ran are event pictures (event-images/, kept as long as event footage).
    const all = [...(await readPictures(stack, 'images')), ...(await readPictures(stack, 'event-images'))].sort((a, b) => a.tsMs - b.tsMs);
    for (const p of all) expect(p, p.key).toMatchObject({ codec: 'mjpeg', width: 320, height: 180 });
    const eventPictures = all.filter((p) => p.event);
    const eventStart = eventPictures[0]!;
    const { metadata } = await getObject(stack, eventStart.key);
    expect(parseImageMetadata(metadata).eventId).toBe(eventId);
    // Besides the event's own picture: one per 2 s slot of the camera's clock over ~11 s (the
    // first and last slots may be partial), each a keyframe (1 s apart) at or after its slot's start.
    const interval = all.filter((p) => p !== eventStart);
    expect(interval.length, JSON.stringify(all.map((p) => [p.tsMs, p.event]))).toBeGreaterThanOrEqual(4);
    expect(interval.length).toBeLessThanOrEqual(6);
    const slots = interval.map((p) => Math.floor(p.tsMs / (INTERVAL_S * 1000)));
    expect(new Set(slots).size).toBe(slots.length);
    const gaps = interval.slice(1).map((p, i) => p.tsMs - interval[i]!.tsMs);
    for (const g of gaps) expect(g).toBeGreaterThan(INTERVAL_S * 1000 - 1100);
    for (const g of gaps) expect(g).toBeLessThan(INTERVAL_S * 1000 + 1100);
  }, 120_000);
});
