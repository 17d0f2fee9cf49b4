import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Backlog } from '../../../device/buffer/backlog.ts';
import { DiskSpool } from '../../../device/buffer/disk-spool.ts';
import { MemoryBuffer } from '../../../device/buffer/memory-buffer.ts';
import { newCounters } from '../../../device/core/agent-counters.ts';
import { silentLogger } from '../../../device/core/json-logger.ts';
import { ItemKind, type UploadItem } from '../../../device/core/upload-item.ts';

const seg = (seq: number): UploadItem => ({
  kind: ItemKind.SEGMENT,
  objectKey: `segments/cam/2025/01/01/00/${1000 + seq}-${seq}.ts`,
  contentType: 'video/mp2t',
  metadata: { seq: String(seq) },
  seq,
  startMs: 1000 + seq,
  createdMs: seq,
});

/** A segmenter's buffer lent to the backlog: counts how often it came back. */
function lend(n: number, fill: number) {
  const bytes = Buffer.alloc(n, fill);
  const state = { bytes, givenBack: 0, giveBack: () => state.givenBack++ };
  return state;
}

describe('Backlog: a write-through segment lent by the segmenter (first PUT with no copy in the memory buffer)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-lent-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const make = async (writeThrough = true) => {
    const counters = newCounters();
    const { spool } = await DiskSpool.open(dir, 1 << 20, silentLogger);
    const memory = new MemoryBuffer(10_000);
    return { counters, spool, memory, backlog: new Backlog(memory, spool, { writeThrough, counters, log: silentLogger }) };
  };

  it('the first PUT sends the lent bytes; the memory buffer is never written; they go back once, after S3 confirmed', async () => {
    const { backlog, memory, spool } = await make();
    const s = lend(3000, 7);
    await backlog.add(seg(1), s.bytes, s.giveBack);
    expect(spool.count).toBe(1);
    expect(memory.peakUsedBytes).toBe(0);
    expect(s.givenBack).toBe(0);
    const e = backlog.take()!;
    expect(await backlog.body(e)).toBe(s.bytes);
    expect(s.givenBack).toBe(0); // a PUT is reading them
    await backlog.confirm(e);
    expect(s.givenBack).toBe(1);
    expect(spool.count).toBe(0);
    expect(backlog.count).toBe(0);
  });

  it('a failed PUT gives the bytes back and the retry reads the spool: the segmenter reusing its buffer loses nothing', async () => {
    const { backlog, memory } = await make();
    const s = lend(3000, 7);
    await backlog.add(seg(1), s.bytes, s.giveBack);
    const e = backlog.take()!;
    backlog.release(e);
    expect(s.givenBack).toBe(1);
    s.bytes.fill(0); // the segmenter writes its next segment there
    const retry = backlog.take()!;
    expect(Buffer.from(await backlog.body(retry))).toEqual(Buffer.alloc(3000, 7));
    await backlog.confirm(retry);
    expect(s.givenBack).toBe(1);
    expect(memory.peakUsedBytes).toBe(0);
  });

  it('a segment still waiting when the next one arrives gives its bytes back and is sent from the spool', async () => {
    const { backlog } = await make();
    const a = lend(2000, 1);
    const b = lend(2000, 2);
    await backlog.add(seg(1), a.bytes, a.giveBack);
    await backlog.add(seg(2), b.bytes, b.giveBack);
    expect([a.givenBack, b.givenBack]).toEqual([1, 0]);
    a.bytes.fill(0);
    const newest = backlog.take()!;
    const oldest = backlog.take()!;
    expect(await backlog.body(newest)).toBe(b.bytes);
    expect(Buffer.from(await backlog.body(oldest))).toEqual(Buffer.alloc(2000, 1));
  });

  it('without write-through the bytes are copied into the memory buffer and given back at once', async () => {
    const { backlog, memory } = await make(false);
    const s = lend(3000, 7);
    await backlog.add(seg(1), s.bytes, s.giveBack);
    expect(s.givenBack).toBe(1);
    expect(memory.usedBytes).toBe(3000);
    s.bytes.fill(0);
    expect(Buffer.from(await backlog.body(backlog.take()!))).toEqual(Buffer.alloc(3000, 7));
  });
});
