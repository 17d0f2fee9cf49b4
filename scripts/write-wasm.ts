/**
 * Compiles the product's WebAssembly (scripts/wasm-modules.ts lists each .wat) with wabt and
 * writes each binary, base64, into its TypeScript file (the one source is the .wat).
 * `npm run wasm`; test/media/wasm-modules.test.ts fails when a file is stale.
 */
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { WASM_MODULES, compileWat, outPath, wasmModuleSource } from './wasm-modules.ts';

for (const m of WASM_MODULES) {
  const out = outPath(m);
  const bytes = await compileWat(m);
  // Formatted as `npm run lint` checks it.
  writeFileSync(out, await format(wasmModuleSource(m, bytes), { ...(await resolveConfig(out)), filepath: out }));
  console.log(`wrote ${m.out} (${bytes.byteLength} bytes of WebAssembly)`);
}
