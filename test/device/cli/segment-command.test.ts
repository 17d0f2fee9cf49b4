import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decryptSegment } from '../../../device/media/encrypt/encrypt-segment.ts';
import { segmentCli } from './segment-cli.ts';

const SAMPLES = resolve(import.meta.dirname, '../../../samples');
const dir = mkdtempSync(join(tmpdir(), 'camrec-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = segmentCli;

describe('camrec segment', () => {
  it('segments the sample with a given key: playlist, segments, key.bin and a one-line summary', async () => {
    const out = join(dir, 'a');
    const key = '000102030405060708090a0b0c0d0e0f';
    const r = await cli(['--video', join(SAMPLES, 'sample.h264'), '--audio', join(SAMPLES, 'sample.aac'), '--out', out, '--key', key]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^camrec segment: 4 segments, 20\.00 s, \d+ bytes, [\d.]+ MB\/s, 0 input errors/);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(out, 'key.bin')).toString('hex')).toBe(key);
    expect(statSync(join(out, 'key.bin')).mode & 0o777).toBe(0o600); // the plain AES key: its owner only
    const m3u8 = readFileSync(join(out, 'index.m3u8'), 'utf8');
    expect(m3u8).toMatch(/^#EXTM3U\n/);
    expect(m3u8).toContain('#EXT-X-TARGETDURATION:6\n');
    expect(m3u8.match(/#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x[0-9a-f]{32}/g)).toHaveLength(4);
    expect(m3u8.match(/#EXTINF:[\d.]+,/g)).toEqual(['#EXTINF:6.000,', '#EXTINF:6.000,', '#EXTINF:6.000,', '#EXTINF:2.000,']);
    expect(m3u8.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(readdirSync(out).filter((f) => f.endsWith('.ts'))).toHaveLength(4);
    expect(readdirSync(out).sort()).toEqual(['index.m3u8', 'key.bin', 'segment-00000.ts', 'segment-00001.ts', 'segment-00002.ts', 'segment-00003.ts']);
    // Each segment decrypts with the key and its playlist IV to the segment --no-encrypt writes.
    const plainOut = join(dir, 'a-plain');
    expect((await cli(['--video', join(SAMPLES, 'sample.h264'), '--audio', join(SAMPLES, 'sample.aac'), '--out', plainOut, '--no-encrypt'])).code).toBe(0);
    const ivs = [...m3u8.matchAll(/IV=0x([0-9a-f]{32})/g)].map((m) => Buffer.from(m[1]!, 'hex'));
    ivs.forEach((iv, i) => {
      const name = `segment-0000${i}.ts`;
      const plain = decryptSegment(readFileSync(join(out, name)), Buffer.from(key, 'hex'), iv);
      expect(Buffer.from(plain).equals(readFileSync(join(plainOut, name)))).toBe(true);
    });
  });

  it('--no-encrypt writes plain TS and no key', async () => {
    const out = join(dir, 'b');
    const r = await cli(['--video', join(SAMPLES, 'sample.h264'), '--out', out, '--no-encrypt', '--segment-seconds', '4']);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'key.bin'))).toBe(false);
    const m3u8 = readFileSync(join(out, 'index.m3u8'), 'utf8');
    expect(m3u8).not.toContain('EXT-X-KEY');
    expect(m3u8.match(/#EXTINF/g)).toHaveLength(5);
    expect(readFileSync(join(out, 'segment-00000.ts'))[0]).toBe(0x47);
  });

  it('exits 1 with a clear message on a missing file', async () => {
    const r = await cli(['--video', join(dir, 'nope.h264'), '--out', join(dir, 'c')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--video .*nope\.h264: no such file/);
  });

  it('exits 1 on a file that is not H.264', async () => {
    const r = await cli(['--video', join(SAMPLES, 'sample.aac'), '--out', join(dir, 'd')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no playable video found/);
  });

  it('exits 1 naming the file and the cause when the disk is full, and leaves no half-written segment behind', async () => {
    const out = join(dir, 'full');
    mkdirSync(out);
    symlinkSync('/dev/full', join(out, '.segment-1.partial')); // the second segment's writes fail with ENOSPC
    const r = await cli(['--video', join(SAMPLES, 'sample.h264'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^camrec segment: could not write .*\.segment-1\.partial: ENOSPC.*check the output folder: free space/);
    expect(readdirSync(out).filter((f) => f.includes('partial'))).toEqual([]);
    expect(existsSync(join(out, 'index.m3u8'))).toBe(false);
  });

  it('exits 2 on bad arguments, listing every problem', async () => {
    const r = await cli(['--video', 'x', '--segment-seconds', '0', '--key', 'abc']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out DIR is required/);
    expect(r.err).toMatch(/--segment-seconds 0:/);
    expect(r.err).toMatch(/--key must be 32 hex digits/);
    expect((await cli(['--bogus'])).code).toBe(2);
    expect((await cli(['--video', 'x', '--out', 'y', '--key', '00'.repeat(16), '--no-encrypt'])).err).toMatch(/exclude each other/);
  });
});
