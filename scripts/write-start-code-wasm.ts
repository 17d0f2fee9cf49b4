/**
 * Compiles media/bitstream/start-code-scan.wat (WebAssembly SIMD) with wabt and writes its
 * bytes, base64, into media/bitstream/start-code-scan-wasm.ts (the one source is the .wat).
 * `npm run wasm`; test/media/bitstream/start-code-scan-wasm.test.ts fails when the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { compileStartCodeWat, startCodeWasmModuleSource } from './start-code-wasm-source.ts';

const out = fileURLToPath(new URL('../media/bitstream/start-code-scan-wasm.ts', import.meta.url));
const bytes = await compileStartCodeWat();
// Formatted as `npm run lint` checks it.
writeFileSync(out, await format(startCodeWasmModuleSource(bytes), { ...(await resolveConfig(out)), filepath: out }));
console.log(`wrote media/bitstream/start-code-scan-wasm.ts (${bytes.byteLength} bytes of WebAssembly)`);
