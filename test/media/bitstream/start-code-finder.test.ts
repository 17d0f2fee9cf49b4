import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findStartCodes, findWithIndexOf, startCodeScanKind } from '../../../media/bitstream/start-code-finder.ts';

/** Bytes from a seeded generator: 0x00 with probability `zeros`, 0x01 with `ones`, else 0x02-0xff. */
function bytes(seed: number, length: number, zeros: number, ones: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const r = next();
    out[i] = r < zeros ? 0 : r < zeros + ones ? 1 : 2 + Math.floor(next() * 254);
  }
  return out;
}

/** The start codes by brute force: every p with 00 00 01 at p, taken left to right (they cannot overlap). */
function bruteForce(data: Uint8Array, from: number): number[] {
  const out: number[] = [];
  for (let p = Math.max(0, from); p + 2 < data.byteLength; p++) if (data[p] === 0 && data[p + 1] === 0 && data[p + 2] === 1) out.push(p);
  return out;
}

describe('findStartCodes', () => {
  it('runs the WebAssembly SIMD scan on this Node (the fallback is for Nodes without it)', () => {
    expect(startCodeScanKind()).toBe('wasm-simd');
  });

  it('finds what a byte-by-byte search and indexOf find, in random data dense with zeros, across the 64 KB copy windows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.constantFrom(0.08, 0.3, 0.6),
        fc.integer({ min: 0, max: 70_000 }),
        (seed, length, zeros, from) => {
          const data = bytes(seed, length, zeros, 0.1);
          const expected = bruteForce(data, from);
          expect(findStartCodes(data, from)).toEqual(expected);
          expect(findWithIndexOf(data, from)).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('finds a start code that straddles a window edge, one in the last bytes, and none in a view past its end', () => {
    const data = new Uint8Array(3 * 65_536 + 40).fill(7);
    // At the start, across the first window edge (65,536), across the second, and in the last 3 bytes.
    const planted = [0, 65_534, 2 * 65_536 - 1, data.byteLength - 3];
    for (const p of planted) data.set([0, 0, 1], p);
    expect(findStartCodes(data, 0)).toEqual(planted);
    // A view: offsets are the view's, and bytes beyond it are not read.
    const view = data.subarray(65_530, 65_536 + 1);
    expect(findStartCodes(view, 0)).toEqual([4]);
    expect(findStartCodes(data.subarray(0, 65_536), 0)).toEqual([0]); // the one at 65,534 needs a byte past the view
  });

  it('falls back to indexOf under --lite-mode (how the agent runs on cameras: no WebAssembly) and finds the same start codes', () => {
    const finder = new URL('../../../media/bitstream/start-code-finder.ts', import.meta.url).href;
    const script = `import { findStartCodes, startCodeScanKind } from '${finder}';
      const data = new Uint8Array(200000).fill(5); for (const p of [3, 65534, 150000]) data.set([0, 0, 1], p);
      console.log(JSON.stringify([startCodeScanKind(), findStartCodes(data, 0)]));`;
    const out = execFileSync(process.execPath, ['--lite-mode', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['indexOf', [3, 65_534, 150_000]]);
  });

  it('reads nothing before from', () => {
    const data = Uint8Array.from([0, 0, 1, 9, 0, 0, 1, 9, 0, 0, 1]);
    expect(findStartCodes(data, 1)).toEqual([4, 8]);
    expect(findStartCodes(data, 0)).toEqual([0, 4, 8]);
    expect(findStartCodes(new Uint8Array(2), 0)).toEqual([]);
  });
});
