import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unwrapDataKeyLocally } from '../../../contract/index.ts';
import { KeyRotator } from '../../../device/keys/key-rotator.ts';
import { SEQUENCE_FILE, SequenceState } from '../../../device/keys/sequence-state.ts';
import type { UploadItem } from '../../../device/core/upload-item.ts';

describe('KeyRotator', () => {
  it('publishes the wrapped key before handing it out, rotates on time, and zeroes the old key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    let now = 0;
    const published: { item: UploadItem; wrapped: Uint8Array }[] = [];
    const r = new KeyRotator({
      deviceId: 'cam-1',
      publicKey,
      rotationMs: 3600_000,
      now: () => now,
      publish: async (item, wrapped) => void published.push({ item, wrapped }),
    });
    const k1 = await r.current();
    expect(published).toHaveLength(1);
    expect(published[0]!.item.objectKey).toBe(`keys/cam-1/${k1.keyId}.bin`);
    expect(unwrapDataKeyLocally(privateKey, published[0]!.wrapped, { deviceId: 'cam-1', keyId: k1.keyId })).toEqual(k1.key);
    // Bound to its camera and key id: unwrapping it as another camera's (or another key id) fails.
    expect(() => unwrapDataKeyLocally(privateKey, published[0]!.wrapped, { deviceId: 'cam-2', keyId: k1.keyId })).toThrow(/bound to another camera/);
    const k1Copy = Buffer.from(k1.key);
    now += 3599_000;
    expect((await r.current()).keyId).toBe(k1.keyId);
    now += 1000;
    const k2 = await r.current();
    expect(k2.keyId).not.toBe(k1.keyId);
    expect(published).toHaveLength(2);
    expect(k1.key.equals(Buffer.alloc(16))).toBe(true); // forgotten
    expect(k1Copy.equals(Buffer.alloc(16))).toBe(false);
  });
});

describe('SequenceState', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-seq-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from floor(now/1000) without state, persists every seq, and counts each boot as a discontinuity', async () => {
    const a = await SequenceState.open(dir, { nowMs: 1_767_225_600_123 }); // 2026-01-01T00:00:00.123Z
    expect(a.nextSeq).toBe(1_767_225_600);
    expect(a.discSeq).toBe(1_052_640); // minutes since 2024-01-01: small enough for hls.js
    expect(await a.takeSeq()).toBe(1_767_225_600);
    expect(await a.takeSeq()).toBe(1_767_225_601);
    const disc = a.discSeq;
    const b = await SequenceState.open(dir, { nowMs: 0 });
    expect(b.nextSeq).toBe(1_767_225_602);
    expect(b.discSeq).toBe(disc + 1);
    expect(JSON.parse(readFileSync(join(dir, SEQUENCE_FILE), 'utf8'))).toEqual({ nextSeq: 1_767_225_602, discSeq: disc + 1 });
  });

  it('writes each later seq in place with one durable write: the same file (inode), the same length, read back by the next start', async () => {
    const a = await SequenceState.open(dir, { nowMs: 1_767_225_600_123 });
    const file = join(dir, SEQUENCE_FILE);
    const inode = statSync(file).ino;
    const size = statSync(file).size;
    for (let i = 0; i < 3; i++) await a.takeSeq();
    const disc = await a.bumpDisc();
    expect(statSync(file).ino).toBe(inode); // no temp file renamed over it
    expect(statSync(file).size).toBe(size);
    expect(readdirSync(dir)).toEqual([SEQUENCE_FILE]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ nextSeq: 1_767_225_603, discSeq: disc });
    await a.close();
    const b = await SequenceState.open(dir, { nowMs: 0 });
    expect(b.nextSeq).toBe(1_767_225_603);
    expect(b.discSeq).toBe(disc + 1);
    await b.close();
  });

  it('reads a state file of any length (an older agent wrote it unpadded) and goes on from it', async () => {
    writeFileSync(join(dir, SEQUENCE_FILE), JSON.stringify({ nextSeq: 7, discSeq: 3 }, null, 2));
    const s = await SequenceState.open(dir, { nowMs: 1_767_225_600_123 });
    expect(await s.takeSeq()).toBe(7);
    expect(JSON.parse(readFileSync(join(dir, SEQUENCE_FILE), 'utf8'))).toEqual({ nextSeq: 8, discSeq: 4 });
    await s.close();
  });

  it('never goes below what the spool already holds, and survives a garbled state file', async () => {
    writeFileSync(join(dir, SEQUENCE_FILE), '{"nextSeq": "x"');
    const s = await SequenceState.open(dir, { nowMs: (Date.UTC(2024, 0, 1, 0, 5) / 1000) * 1000, minNextSeq: 1_704_067_600 });
    expect(s.nextSeq).toBe(1_704_067_600); // the spool holds seq 1_704_067_599; the clock says 1_704_067_500
    expect(s.discSeq).toBe(5); // minutes since 2024-01-01
  });
});
