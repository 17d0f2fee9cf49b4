const WASM_PAGE_BYTES = 64 * 1024;

/** A module compiled from its base64 bytes, or null where this Node cannot run it (no WebAssembly SIMD, as under `--lite-mode`). */
export function compileWasm(base64: string): WebAssembly.Module | null {
  const code = Buffer.from(base64, 'base64');
  return typeof WebAssembly === 'object' && WebAssembly.validate(code) ? new WebAssembly.Module(code) : null;
}

/**
 * An instance of `module` whose exported `memory` holds at least `bytes`, grown once here:
 * the modules never grow it themselves, so views of it made after this call stay valid.
 */
export function instantiateWithMemory<T extends { memory: WebAssembly.Memory }>(module: WebAssembly.Module, bytes: number): T {
  const exports = new WebAssembly.Instance(module).exports as unknown as T;
  const have = exports.memory.buffer.byteLength / WASM_PAGE_BYTES;
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES);
  if (pages > have) exports.memory.grow(pages - have);
  return exports;
}
