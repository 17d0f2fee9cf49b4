import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

/** A WebAssembly module of the product: its .wat source and the TypeScript file that carries it compiled. */
export interface WasmModule {
  /** The source (repository path). */
  readonly wat: string;
  /** The file `npm run wasm` writes (repository path). */
  readonly out: string;
  /** The exported constant holding the binary, base64. */
  readonly constant: string;
}

/** The test that fails when a module's `out` is stale. */
const STALENESS_TEST = 'test/media/wasm-modules.test.ts';

export const WASM_MODULES: readonly WasmModule[] = [
  { wat: 'media/bitstream/start-code-scan.wat', out: 'media/bitstream/start-code-scan-wasm.ts', constant: 'START_CODE_SCAN_WASM_BASE64' },
  { wat: 'media/ts/ts-packetize.wat', out: 'media/ts/ts-packetize-wasm.ts', constant: 'TS_PACKETIZE_WASM_BASE64' },
];

const repoPath = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** The WebAssembly binary of `m.wat` (SIMD on). */
export async function compileWat(m: WasmModule): Promise<Uint8Array> {
  const w = await wabt();
  const module = w.parseWat(basename(m.wat), readFileSync(repoPath(m.wat), 'utf8'), { simd: true });
  try {
    module.validate();
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The text of `m.out` for these bytes. */
export function wasmModuleSource(m: WasmModule, bytes: Uint8Array): string {
  return [
    `// Written by \`npm run wasm\` from ${basename(m.wat)} (compiled by wabt): edit the .wat, not this file.`,
    `// ${STALENESS_TEST} fails when this is not the .wat compiled.`,
    `export const ${m.constant} = '${Buffer.from(bytes).toString('base64')}';`,
    '',
  ].join('\n');
}

/** Where `m.out` is on disk. */
export const outPath = (m: WasmModule): string => repoPath(m.out);
