import { createDecipheriv, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { segmentCli } from './segment-cli.ts';

const SAMPLES = resolve(import.meta.dirname, '../../../samples');
const VIDEO = join(SAMPLES, 'sample.h264');
const AUDIO = join(SAMPLES, 'sample.aac');
const dir = mkdtempSync(join(tmpdir(), 'camrec-cli-reference-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * SHA-256 of each plain segment `camrec segment --no-encrypt` wrote for the sample before its
 * segment buffers changed (main at bbf4459: Buffer-typed buffers, two segment buffers taken in
 * turns). The muxer's buffer handling (what memory a segment is written into, when it is reused)
 * must never change a byte of what it writes. Checked against ffprobe in segment-command.test.ts.
 */
const REFERENCE = {
  /** --audio sample.aac --segment-seconds 1: ten 2 s segments (one per GOP), audio and video. */
  audio1s: [
    '4028527fa3a1ec891d0787fd77c9bd27fc6653f5522c319aa5a9d01b7875b51f',
    '0262133d9ddfba3fce368461a295a2e1994f18c26e4d512b339d07c982e7fb14',
    '6a3727690beb4b114986f769dad6498014df6c68b8582f557bd53ed3b5456c1e',
    '2c7dc67baee66d1fb5015927f0a404a981284ab30b8ed2e79f551f8cc07dfc31',
    'debf7c5e5760c84db76c0bdcf42258900eb8d872f10a1b9255e7e437dc13d311',
    '711698a327e7e4870ab63ed8a7109c61b295c09af2d433a169af230590e3c109',
    '77cb844bb87bb0f4d315e07a4915383327d168f8d8b7fb949d7df18b2cb10777',
    'd0845767dc379e52133dee6e9bdb4a64640a149f5e04a2f09d4932906e2280bc',
    '31bef687c97c95f34af0e8fcc6cac0de5754fe9099351be91549faa523910154',
    '72fec8369257fe917ac9e6e53bd6d342b7ae178a0fe275849812f1455cc0ed8b',
  ],
  /** video only, 6 s segments (the default). */
  video6s: [
    '59ba8177e626c09e7dbf43df4f5ad98d3a87bc7f3f623e67187e2c3129ef341f',
    '5ff64f8b74cabc1bc5abdca160954f7f67111f166d1d6bc45464cdf09bfdffa6',
    'a9351fddbd0de7dac605747cddf4e15835dadec1194976b69aa0d4a846f93fe3',
    'a5536af414d3453806c5ca1e1c1f8b1ec42273b6697356cfe7ef583e131af90b',
  ],
};

const segmentFiles = (out: string): string[] =>
  readdirSync(out)
    .filter((f) => f.endsWith('.ts'))
    .sort();
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function segment(name: string, args: string[]): Promise<string> {
  const out = join(dir, name);
  const r = await segmentCli(['--video', VIDEO, '--out', out, ...args]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return out;
}

describe('camrec segment writes the same bytes as before its buffer changes', () => {
  it.each([
    ['audio1s', ['--audio', AUDIO, '--segment-seconds', '1']],
    ['video6s', []],
  ] as const)('%s: every plain segment is byte-identical to the reference', async (name, args) => {
    const out = await segment(`plain-${name}`, [...args, '--no-encrypt']);
    expect(segmentFiles(out).map((f) => sha256(readFileSync(join(out, f))))).toEqual(REFERENCE[name]);
  });

  it('encrypted in place in reused buffers, every segment decrypts (node:crypto, its playlist IV) to the reference bytes', async () => {
    const key = '00112233445566778899aabbccddeeff';
    const out = await segment('encrypted', ['--audio', AUDIO, '--segment-seconds', '1', '--key', key]);
    const ivs = [...readFileSync(join(out, 'index.m3u8'), 'utf8').matchAll(/IV=0x([0-9a-f]{32})/g)].map((m) => Buffer.from(m[1]!, 'hex'));
    const files = segmentFiles(out);
    expect(ivs).toHaveLength(files.length);
    const plain = files.map((f, i) => {
      const d = createDecipheriv('aes-128-cbc', Buffer.from(key, 'hex'), ivs[i]!);
      return Buffer.concat([d.update(readFileSync(join(out, f))), d.final()]);
    });
    expect(plain.map(sha256)).toEqual(REFERENCE.audio1s);
  });
});
