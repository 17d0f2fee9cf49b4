import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backlog } from '../../../device/buffer/backlog.ts';
import { DiskSpool } from '../../../device/buffer/disk-spool.ts';
import { MemoryBuffer } from '../../../device/buffer/memory-buffer.ts';
import { newCounters } from '../../../device/core/agent-counters.ts';
import { silentLogger } from '../../../device/core/json-logger.ts';
import type { ObjectPutter } from '../../../device/core/object-putter.ts';
import { ItemKind, type UploadItem } from '../../../device/core/upload-item.ts';
import { Uploader } from '../../../device/upload/uploader.ts';
import { until } from '../../support/agent-harness.ts';

const segment = (seq: number): UploadItem => ({
  kind: ItemKind.SEGMENT,
  objectKey: `segments/cam/${seq}.ts`,
  contentType: 'video/mp2t',
  metadata: {},
  seq,
  createdMs: 0,
});

/** S3 stand-in whose PUTs answer only when the test says (the uploader, not S3, is under test here). */
function heldPutter() {
  const waiting: (() => void)[] = [];
  const putter: ObjectPutter = {
    put: (_item, _body, signal) =>
      new Promise((resolve, reject) => {
        waiting.push(() => resolve('created'));
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      }),
  };
  return { putter, waiting };
}

describe('Uploader.drained', () => {
  let dir: string;
  let backlog: Backlog;
  let uploader: Uploader | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-drained-'));
    const { spool } = await DiskSpool.open(dir, 16 * 1024 * 1024, silentLogger);
    // Memory only (writeThrough off): a confirmed entry leaves without touching the disk.
    backlog = new Backlog(new MemoryBuffer(1024 * 1024), spool, { writeThrough: false, counters: newCounters(), log: silentLogger });
  });
  afterEach(async () => {
    await uploader?.stop(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits on the backlog change signal: no polling while a PUT runs, and it resolves as soon as the last object is confirmed', async () => {
    const s3 = heldPutter();
    uploader = new Uploader(backlog, s3.putter, { concurrency: 1, retryBaseMs: 10, retryMaxMs: 100, counters: newCounters(), log: silentLogger });
    await backlog.add(segment(1), new Uint8Array(1000));
    uploader.start();
    await until('the PUT is on its way', () => s3.waiting.length === 1);

    const looks = vi.spyOn(backlog, 'count', 'get');
    let result: boolean | undefined;
    const drained = uploader.drained(10_000).then((r) => (result = r));
    // A PUT that takes a while: drained looks at the backlog when it changes, not every few ms.
    await new Promise((r) => setTimeout(r, 300));
    expect(looks.mock.calls.length).toBeLessThanOrEqual(2);
    expect(result).toBeUndefined();

    // S3 confirms: drained resolves in the same turn, before anything timed could run.
    let immediateRan = false;
    s3.waiting.shift()!();
    setImmediate(() => (immediateRan = true));
    await drained;
    expect(result).toBe(true);
    expect(immediateRan).toBe(false);
    expect(backlog.count).toBe(0);
  });

  it('says false once its time is up while objects still wait, and true at once when nothing waits', async () => {
    const s3 = heldPutter();
    uploader = new Uploader(backlog, s3.putter, { concurrency: 1, retryBaseMs: 10, retryMaxMs: 100, counters: newCounters(), log: silentLogger });
    expect(await uploader.drained(0)).toBe(true);
    await backlog.add(segment(1), new Uint8Array(1000));
    uploader.start();
    expect(await uploader.drained(50)).toBe(false);
    expect(backlog.count).toBe(1);
    s3.waiting.shift()?.();
  });
});
