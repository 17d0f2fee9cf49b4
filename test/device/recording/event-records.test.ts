import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAnyEventRecord } from '../../../contract/index.ts';
import { silentLogger } from '../../../device/core/json-logger.ts';
import { EventRecords, OPEN_EVENT_FILE } from '../../../device/recording/event-records.ts';
import type { UploadItem } from '../../../device/core/upload-item.ts';

describe('event records on the device', () => {
  let dir: string;
  let uploaded: { item: UploadItem; body: Buffer }[];
  const now = 1_767_225_600_000;
  const make = (stateDir: string) =>
    new EventRecords({
      deviceId: 'cam-1',
      stateDir,
      upload: async (item, body) => void uploaded.push({ item, body: Buffer.from(body) }),
      now: () => now,
      log: silentLogger,
    });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-event-records-'));
    uploaded = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('start: a start record queued and the open event kept; end: an end record beside it and the file gone', async () => {
    const r = make(dir);
    await r.started({ eventId: 'e-1', type: 'motion', startMs: now - 1000, maxDurationMs: 300_000 });
    expect(uploaded[0]!.item).toMatchObject({ kind: 'event', objectKey: `events/cam-1/${now - 1000}-e-1.json`, contentType: 'application/json' });
    expect(parseAnyEventRecord(JSON.parse(readFileSync(join(dir, OPEN_EVENT_FILE), 'utf8')))).toMatchObject({ phase: 'start', eventId: 'e-1' });
    await r.ended({ eventId: 'e-1', type: 'motion', startMs: now - 1000, endMs: now, endReason: 'stopped' });
    expect(uploaded[1]!.item.objectKey).toBe(`events/cam-1/${now - 1000}-e-1.end.json`);
    expect(parseAnyEventRecord(JSON.parse(uploaded[1]!.body.toString()))).toMatchObject({ phase: 'end', endMs: now, endReason: 'stopped' });
    expect(existsSync(join(dir, OPEN_EVENT_FILE))).toBe(false);
    expect(await make(dir).recover()).toBeUndefined();
  });

  it('a state folder the disk refuses does not hold up the records', async () => {
    const notADir = join(dir, 'file');
    writeFileSync(notADir, 'x');
    const r = make(notADir);
    await r.started({ eventId: 'e-2', type: 'doorbell', startMs: now, maxDurationMs: 60_000 });
    await r.ended({ eventId: 'e-2', type: 'doorbell', startMs: now, endMs: now + 5000, endReason: 'stopped' });
    expect(uploaded.map((u) => u.item.objectKey)).toEqual([`events/cam-1/${now}-e-2.json`, `events/cam-1/${now}-e-2.end.json`]);
  });

  it('an unusable open-event file is removed, not uploaded', async () => {
    writeFileSync(join(dir, OPEN_EVENT_FILE), JSON.stringify({ eventId: 'bad id!', startMs: 'x' }));
    expect(await make(dir).recover()).toBeUndefined();
    expect(uploaded).toEqual([]);
    expect(existsSync(join(dir, OPEN_EVENT_FILE))).toBe(false);
  });
});
