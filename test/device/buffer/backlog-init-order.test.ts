import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Backlog } from '../../../device/buffer/backlog.ts';
import { DiskSpool } from '../../../device/buffer/disk-spool.ts';
import { MemoryBuffer } from '../../../device/buffer/memory-buffer.ts';
import { newCounters } from '../../../device/core/agent-counters.ts';
import { silentLogger } from '../../../device/core/json-logger.ts';
import { ItemKind } from '../../../device/core/upload-item.ts';

/** The backlog's order for fMP4: a segment waits while the init section it names is still queued (like its wrapped key). */
describe('Backlog: init sections before the segments that name them', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an in-flight init section holds back its segments; a segment of another init goes; once confirmed, they follow', async () => {
    dir = await mkdtemp(join(tmpdir(), 'camrec-backlog-init-'));
    const { spool } = await DiskSpool.open(dir, 16 * 1024 * 1024, silentLogger);
    const backlog = new Backlog(new MemoryBuffer(1024 * 1024), spool, { writeThrough: false, counters: newCounters(), log: silentLogger });
    const A = 'a1'.repeat(16);
    const B = 'b2'.repeat(16);
    const seg = (seq: number, initId: string) => ({
      kind: ItemKind.SEGMENT,
      objectKey: `segments/cam/2026/01/01/00/${1000 + seq}-${seq}.m4s`,
      contentType: 'video/mp4',
      metadata: {},
      seq,
      initId,
      startMs: 1000 + seq,
      createdMs: seq,
    });
    await backlog.add(
      { kind: ItemKind.INIT, objectKey: `init/cam/${A}.mp4`, contentType: 'video/mp4', metadata: {}, initId: A, createdMs: 0 },
      new Uint8Array(100),
    );
    await backlog.add(seg(1, A), new Uint8Array(1000));
    await backlog.add(seg(2, B), new Uint8Array(1000));
    const first = backlog.take(10)!;
    expect(first.item.kind).toBe(ItemKind.INIT); // the init section goes first
    const second = backlog.take(10)!;
    expect(second.item.seq).toBe(2); // init B is not queued (already in S3): its segment may go
    expect(backlog.take(10)).toBeUndefined(); // seq 1 waits while init A is in flight
    await backlog.confirm(first);
    expect(backlog.take(10)!.item.seq).toBe(1);
  });
});
