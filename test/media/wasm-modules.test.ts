import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WASM_MODULES, compileWat, outPath } from '../../scripts/wasm-modules.ts';

describe('the WebAssembly modules', () => {
  it.each(WASM_MODULES.map((m) => [m.out, m] as const))('%s is its .wat compiled (run `npm run wasm` after editing the .wat)', async (_, m) => {
    const constant = new RegExp(`${m.constant} =\\s*'([^']*)'`).exec(readFileSync(outPath(m), 'utf8'))?.[1];
    expect(constant).toBe(Buffer.from(await compileWat(m)).toString('base64'));
  });
});
