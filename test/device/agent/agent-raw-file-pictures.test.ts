import { execFileSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageMetadata, parseObjectKey, unwrapDataKeyLocally } from '../../../contract/index.ts';
import type { Agent } from '../../../device/agent/agent.ts';
import { makeCodedStream } from '../../fixtures/coded-streams.ts';
import { DEVICE_ID, getObject, listKeys, until, type Stack } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

/**
 * Automatic pictures from a raw Annex-B file (what camrec local's demo cameras play): the
 * agent does not run ffmpeg for the media, so at each keyframe a picture is wanted of, a
 * short ffmpeg child decodes that keyframe alone. H.264 and H.265: each picture uploaded
 * decrypts to a 320 px JPEG ffprobe reads, one per interval, and one at an event's start.
 */
const INTERVAL_S = 2;

async function pictures(stack: Stack): Promise<{ tsMs: number; codec: string; width: number; height: number; event: boolean }[]> {
  const out = [];
  for (const key of [...(await listKeys(stack, 'images')), ...(await listKeys(stack, 'event-images'))]) {
    const { body, metadata } = await getObject(stack, key);
    const meta = parseImageMetadata(metadata);
    const wrapped = await getObject(stack, `keys/${DEVICE_ID}/${meta.keyId}.bin`);
    const dataKey = unwrapDataKeyLocally(stack.contentPrivateKey, wrapped.body, { deviceId: DEVICE_ID, keyId: meta.keyId });
    const d = createDecipheriv('aes-128-cbc', dataKey, Buffer.from(meta.iv, 'hex'));
    const file = join(stack.dir, `${meta.tsMs}.jpg`);
    writeFileSync(file, Buffer.concat([d.update(body), d.final()]));
    const s = (
      JSON.parse(execFileSync('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', file]).toString()) as {
        streams: { codec_name: string; width: number; height: number }[];
      }
    ).streams[0]!;
    const parsed = parseObjectKey(key);
    out.push({ tsMs: meta.tsMs, codec: s.codec_name, width: s.width, height: s.height, event: parsed.kind === 'image' && parsed.event });
  }
  return out.sort((a, b) => a.tsMs - b.tsMs);
}

describe.each(['h264', 'hevc'] as const)('keyframe pictures from a raw %s file (no ffmpeg child for the media)', (codec) => {
  let agent: Agent | undefined;
  let file: string;
  const stack = useAgentStack({
    beforeAll: (s) => {
      file = makeCodedStream(s.dir, 'camera', { codec, width: 640, height: 360, fps: '25', seconds: 9, gopFrames: 25, bFrames: 0 }).video;
    },
    beforeAllTimeoutMs: 60_000,
  });

  it(`one picture per ${INTERVAL_S} s and one at an event's start, each a 320 px JPEG`, async () => {
    // The file loops, so the test waits for 3 interval pictures however long a loaded machine
    // takes (a slot whose keyframes arrive while the previous decode runs gets no picture).
    agent = await stack.startAgent(
      stack.config({ heartbeatSeconds: 0, imageIntervalSeconds: INTERVAL_S, source: { type: 'file', path: file, fps: 25, loop: true } }),
    );
    await until('video recording', () => agent!.status().segmentsRecorded >= 2, 30_000);
    agent.startEvent('motion', { eventId: `raw-${codec}` });
    await until('an event picture', async () => (await listKeys(stack, 'event-images')).length >= 1, 20_000);
    agent.stopEvent();
    await until('3 interval pictures', async () => (await listKeys(stack, 'images')).length >= 3, 90_000);
    await until('pictures uploaded', () => agent!.status().imagesUploaded === agent!.status().imagesRecorded, 20_000);
    await agent.stop();
    agent = undefined;
    const all = await pictures(stack);
    for (const p of all) expect(p).toMatchObject({ codec: 'mjpeg', width: 320, height: 180 });
    expect(all.filter((p) => p.event).length).toBeGreaterThanOrEqual(1);
    const interval = all.filter((p) => !p.event);
    expect(interval.length, JSON.stringify(all)).toBeGreaterThanOrEqual(3);
    const slots = interval.map((p) => Math.floor(p.tsMs / (INTERVAL_S * 1000)));
    expect(new Set(slots).size).toBe(slots.length);
  }, 180_000);
});
