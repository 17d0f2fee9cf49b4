import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newCounters } from '../../../device/core/agent-counters.ts';
import { silentLogger } from '../../../device/core/json-logger.ts';
import { Backlog } from '../../../device/buffer/backlog.ts';
import { DiskSpool } from '../../../device/buffer/disk-spool.ts';
import { MemoryBuffer } from '../../../device/buffer/memory-buffer.ts';
import { ItemKind, type UploadItem } from '../../../device/core/upload-item.ts';

const seg = (seq: number, keyId = 'k1'): UploadItem => ({
  kind: ItemKind.SEGMENT,
  objectKey: `segments/cam/2025/01/01/00/${1000 + seq}-${seq}.ts`,
  contentType: 'video/mp2t',
  metadata: { seq: String(seq) },
  seq,
  keyId,
  startMs: 1000 + seq,
  createdMs: seq,
});
const key = (keyId: string): UploadItem => ({
  kind: ItemKind.KEY,
  objectKey: `keys/cam/${keyId}.bin`,
  contentType: 'application/octet-stream',
  metadata: {},
  keyId,
  createdMs: 0,
});
const body = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('DiskSpool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-spool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips entries across a reopen, oldest first', async () => {
    const { spool } = await DiskSpool.open(dir, 1 << 20, silentLogger);
    const written = await spool.put(seg(2), body(100, 2));
    await spool.put(seg(1), body(50, 1));
    // The body's SHA-256, known from the write and from the header after a reopen: the PUT sends it without hashing again.
    expect(written.bodySha256).toBe(createHash('sha256').update(body(100, 2)).digest('hex'));
    const again = await DiskSpool.open(dir, 1 << 20, silentLogger);
    expect(again.recovered.map((r) => r.item.seq)).toEqual([1, 2]);
    expect(again.recovered[1]!.bodySha256).toBe(written.bodySha256);
    expect(Buffer.from(await again.spool.readBody(again.recovered[1]!))).toEqual(body(100, 2));
    expect(again.spool.bytes).toBe(spool.bytes);
  });

  it('a crash mid-write (temp file) or a truncated or garbled entry is deleted and counted; the rest survive', async () => {
    const { spool } = await DiskSpool.open(dir, 1 << 20, silentLogger);
    const good = await spool.put(seg(1), body(1000, 1));
    const cut = await spool.put(seg(2), body(1000, 2));
    writeFileSync(cut.file, readFileSync(cut.file).subarray(0, 700)); // truncated
    writeFileSync(join(dir, 's-0000000000000003-x.spool'), 'garbage');
    writeFileSync(join(dir, '.tmp-s-0000000000000004-y.spool.123.0'), 'half written');
    const again = await DiskSpool.open(dir, 1 << 20, silentLogger);
    expect(again.corrupt).toBe(2);
    expect(again.recovered.map((r) => r.file)).toEqual([good.file]);
    expect(readdirSync(dir)).toEqual([good.file.split('/').at(-1)]);
  });

  it('refuses a body whose bytes changed on disk', async () => {
    const { spool } = await DiskSpool.open(dir, 1 << 20, silentLogger);
    const ref = await spool.put(seg(1), body(1000, 1));
    const bytes = readFileSync(ref.file);
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
    writeFileSync(ref.file, bytes);
    await expect(spool.readBody(ref)).rejects.toThrow(/SHA-256/);
  });
});

describe('Backlog', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-backlog-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const make = async (opts: { memory?: number; spool?: number; writeThrough?: boolean } = {}) => {
    const counters = newCounters();
    const { spool } = await DiskSpool.open(dir, opts.spool ?? 1 << 20, silentLogger);
    const memory = new MemoryBuffer(opts.memory ?? 10_000);
    return { counters, spool, memory, backlog: new Backlog(memory, spool, { writeThrough: opts.writeThrough ?? false, counters, log: silentLogger }) };
  };

  it('sends the wrapped key first, then the newest segment, while another worker drains oldest first', async () => {
    const { backlog } = await make();
    for (const s of [1, 2, 3, 4]) await backlog.add(seg(s), body(500, s));
    await backlog.add(key('k1'), body(256, 9));
    const k = backlog.take()!;
    expect(k.item.kind).toBe('key');
    expect(backlog.take()).toBeUndefined(); // segments wait for their key
    await backlog.confirm(k);
    expect(backlog.take()!.item.seq).toBe(4); // newest
    expect(backlog.take()!.item.seq).toBe(1); // backlog, oldest first
    expect(backlog.take()!.item.seq).toBe(2);
  });

  it('moves waiting segments to disk when a new one arrives, and frees their memory', async () => {
    const { backlog, memory, spool, counters } = await make();
    await backlog.add(seg(1), body(3000, 1));
    expect(memory.usedBytes).toBe(3000);
    await backlog.add(seg(2), body(3000, 2));
    expect(spool.count).toBe(1);
    expect(memory.usedBytes).toBe(3000);
    expect(counters.segmentsSpooled).toBe(1);
    const e = backlog.take()!;
    expect(Buffer.from(await backlog.body(e))).toEqual(body(3000, 2));
  });

  it('at the spool cap drops the oldest segments, counts them, and keeps the newest', async () => {
    const { backlog, counters, spool } = await make({ memory: 64 * 1024, spool: 4000, writeThrough: true });
    for (const s of [1, 2, 3, 4, 5]) await backlog.add(seg(s), body(1000, s));
    expect(spool.bytes).toBeLessThanOrEqual(4000);
    expect(counters.segmentsDropped).toBe(5 - backlog.count);
    expect(backlog.count).toBeGreaterThan(0);
    expect(Math.max(...backlog.list().map((e) => e.item.seq!))).toBe(5);
    expect(Math.min(...backlog.list().map((e) => e.item.seq!))).toBe(5 - backlog.count + 1);
  });

  it('a picture waits for its wrapped key like a segment; at the spool cap it is dropped (counted), never evicting footage nor held in memory', async () => {
    const { backlog, counters, memory } = await make({ memory: 64 * 1024, spool: 4000, writeThrough: true });
    const image = (n: number, keyId: string): UploadItem => ({
      kind: ItemKind.IMAGE,
      objectKey: `images/cam/2026/01/01/00/${n}-ab.jpg`,
      contentType: 'application/octet-stream',
      metadata: {},
      keyId,
      createdMs: n,
    });
    await backlog.add(key('k1'), body(256, 9));
    await backlog.add(image(1, 'k1'), body(500, 1));
    const k = backlog.take()!;
    expect(k.item.kind).toBe('key');
    expect(backlog.take()).toBeUndefined(); // the picture waits for its key
    await backlog.confirm(k);
    const pic = backlog.take()!;
    expect(pic.item.kind).toBe('image');
    await backlog.confirm(pic);
    for (const s of [1, 2, 3]) await backlog.add(seg(s), body(1000, s));
    const segmentsBefore = backlog.list().filter((e) => e.item.kind === ItemKind.SEGMENT).length;
    await backlog.add(image(2, 'k1'), body(1500, 2));
    expect(counters.imagesDropped).toBe(1);
    expect(counters.segmentsDropped).toBe(0);
    expect(backlog.list().filter((e) => e.item.kind === ItemKind.SEGMENT).length).toBe(segmentsBefore);
    expect(backlog.list().some((e) => e.item.kind === ItemKind.IMAGE)).toBe(false);
    expect(memory.usedBytes).toBeLessThanOrEqual(3000);
  });
});

describe('MemoryBuffer', () => {
  it('never exceeds its capacity and reuses freed ranges (coalesced)', () => {
    const m = new MemoryBuffer(1000);
    const a = m.put(body(400, 1))!;
    const b = m.put(body(400, 2))!;
    expect(m.put(body(400, 3))).toBeUndefined();
    m.release(a);
    m.release(b);
    expect(m.largestFreeBytes).toBe(1000);
    const c = m.put(body(900, 4))!;
    expect(m.view(c)).toEqual(body(900, 4));
    expect(m.peakUsedBytes).toBe(900);
  });
});
