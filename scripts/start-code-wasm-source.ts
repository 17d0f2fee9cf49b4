import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const WAT = fileURLToPath(new URL('../media/bitstream/start-code-scan.wat', import.meta.url));

/** The WebAssembly binary of media/bitstream/start-code-scan.wat (SIMD on). */
export async function compileStartCodeWat(): Promise<Uint8Array> {
  const w = await wabt();
  const module = w.parseWat('start-code-scan.wat', readFileSync(WAT, 'utf8'), { simd: true });
  try {
    module.validate();
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The text of media/bitstream/start-code-scan-wasm.ts for these bytes. */
export function startCodeWasmModuleSource(bytes: Uint8Array): string {
  return [
    '// Written by `npm run wasm` from start-code-scan.wat (compiled by wabt): edit the .wat, not this file.',
    '// test/media/bitstream/start-code-scan-wasm.test.ts fails when this is not the .wat compiled.',
    `export const START_CODE_SCAN_WASM_BASE64 = '${Buffer.from(bytes).toString('base64')}';`,
    '',
  ].join('\n');
}
