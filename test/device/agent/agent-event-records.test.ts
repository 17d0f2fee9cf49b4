import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnyEventRecord, parseHeartbeatRecord } from '../../../contract/index.ts';
import type { Agent } from '../../../device/agent/agent.ts';
import { OPEN_EVENT_FILE } from '../../../device/recording/event-records.ts';
import { DEVICE_ID, getObject, listKeys, makeClip, until, type Stack } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

/** Every object key S3 received, in order, with the time it arrived (s3rver's events). */
function arrivals(stack: Stack): { key: string; atMs: number }[] {
  const seen: { key: string; atMs: number }[] = [];
  stack.s3.server.on('event', (e) => {
    for (const r of (e as { Records: { s3: { object: { key: string } } }[] }).Records)
      seen.push({ key: decodeURIComponent(r.s3.object.key), atMs: Date.now() });
  });
  return seen;
}

describe('event records and heartbeats, against s3rver + S3 front + IoT provider', () => {
  let clip: Uint8Array[];
  let agent: Agent | undefined;
  let seen: { key: string; atMs: number }[];
  const stack = useAgentStack({
    beforeAll: (s) => {
      clip = makeClip(s.dir, 4);
      seen = arrivals(stack);
    },
  });

  it('uploads the start record within seconds of the start, while the event is still open, and the end record at close', async () => {
    agent = await stack.startAgent(stack.config({ recording: { mode: 'event', maxEventSeconds: 120 }, heartbeatSeconds: 0 }));
    const t0 = Date.now();
    const eventId = agent.startEvent('doorbell', { eventId: 'ring-1' });
    await until('the start record in S3', () => seen.some((s) => s.key.endsWith(`-${eventId}.json`)), 10_000);
    const startArrival = seen.find((s) => s.key.endsWith(`-${eventId}.json`))!;
    expect(startArrival.atMs - t0).toBeLessThan(5000);
    expect(agent.status().recording.event?.eventId).toBe('ring-1'); // still open
    expect(seen.some((s) => s.key.endsWith('.end.json'))).toBe(false);
    const start = parseAnyEventRecord(JSON.parse((await getObject(stack, startArrival.key)).body.toString()));
    expect(start).toMatchObject({ version: 2, phase: 'start', deviceId: DEVICE_ID, eventId: 'ring-1', type: 'doorbell', maxDurationMs: 120_000 });

    agent.stopEvent();
    await until('the end record in S3', () => seen.some((s) => s.key.endsWith(`-${eventId}.end.json`)), 10_000);
    const end = parseAnyEventRecord(JSON.parse((await getObject(stack, seen.find((s) => s.key.endsWith('.end.json'))!.key)).body.toString()));
    expect(end).toMatchObject({ phase: 'end', eventId: 'ring-1', startMs: start.startMs, endReason: 'stopped' });
    expect((end as { endMs: number }).endMs).toBeGreaterThanOrEqual(start.startMs);
  });

  it('an event a crashed run left open is closed at the next start (reason restart, never past its maximum length)', async () => {
    const config = stack.config({ heartbeatSeconds: 0 });
    mkdirSync(config.stateDir, { recursive: true });
    const startMs = Date.now() - 3_600_000;
    writeFileSync(
      join(config.stateDir, OPEN_EVENT_FILE),
      JSON.stringify({ version: 2, phase: 'start', deviceId: DEVICE_ID, eventId: 'left-open', type: 'motion', startMs, maxDurationMs: 300_000 }),
    );
    agent = await stack.startAgent(config);
    await until('the end record of the left-open event', async () => (await listKeys(stack, 'events')).some((k) => k.endsWith('-left-open.end.json')), 10_000);
    const key = (await listKeys(stack, 'events')).find((k) => k.endsWith('-left-open.end.json'))!;
    expect(parseAnyEventRecord(JSON.parse((await getObject(stack, key)).body.toString()))).toMatchObject({
      eventId: 'left-open',
      endMs: startMs + 300_000,
      endReason: 'restart',
    });
  });

  it('an idle event-mode camera sends heartbeats; privacy pause sends one at once; a recording camera sends none', async () => {
    const before = seen.length;
    agent = await stack.startAgent(stack.config({ recording: { mode: 'event' }, heartbeatSeconds: 1 }));
    await until('three heartbeats', () => seen.slice(before).filter((s) => s.key.startsWith('heartbeats/')).length >= 3, 10_000);
    agent.setPrivacy(true);
    await until(
      'a heartbeat saying privacy',
      async () => {
        for (const s of seen.slice(before).filter((x) => x.key.startsWith('heartbeats/'))) {
          if (parseHeartbeatRecord(JSON.parse((await getObject(stack, s.key)).body.toString())).privacyPaused) return true;
        }
        return false;
      },
      10_000,
    );
    await agent.stop();
    agent = undefined;

    // Continuous recording: segments land every second, so no heartbeat is needed after the one at start.
    const rec = await stack.startAgent(stack.config({ heartbeatSeconds: 2 }));
    const from = seen.length;
    const t0 = Date.now();
    for (let s = 0; s < 4; s++) {
      clip.slice(s * 25, s * 25 + 25).forEach((f, i) => rec.putVideoFrame(f, t0 + (s * 25 + i) * 40));
      await new Promise((r) => setTimeout(r, 1000));
    }
    await rec.stop();
    const during = seen.slice(from);
    const firstSegment = during.findIndex((s) => s.key.startsWith('segments/'));
    expect(during.filter((s) => s.key.startsWith('segments/')).length).toBeGreaterThanOrEqual(3);
    expect(during.filter((s) => s.key.startsWith('heartbeats/')).length).toBeLessThanOrEqual(1);
    expect(during.slice(firstSegment).filter((s) => s.key.startsWith('heartbeats/'))).toEqual([]);
  });
});
