import { compileWasm, instantiateWithMemory } from '../wasm-module.ts';
import { TS_PACKETIZE_WASM_BASE64 } from './ts-packetize-wasm.ts';

/** A muxer buffer in WebAssembly memory, and the packetizer that works in it (ts-packetize.wat). */
export interface WasmPacketizer {
  /** The buffer: all of the module's memory, which never grows (so this view stays valid). */
  readonly bytes: Uint8Array;
  /**
   * Writes `n` full packets (header + 184 payload bytes) at `dst` from the payload staged at
   * `src` (offsets in `bytes`; dst + 4 <= src), the continuity counter counting on from `cc`;
   * returns the last one. `head1`, `head2`: header bytes 1 and 2 (PUSI 0, PID); `control`:
   * byte 3 before the counter (payload only).
   */
  readonly packetize: (src: number, dst: number, n: number, head1: number, head2: number, control: number, cc: number) => number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where this Node cannot run WebAssembly SIMD (`--lite-mode`, as the agent runs). */
function packetizeModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileWasm(TS_PACKETIZE_WASM_BASE64);
  return compiled;
}

/**
 * A WebAssembly buffer of at least `bytes` with its packetizer (one instance, one memory of its
 * own, per call), or undefined where WebAssembly SIMD is missing (the muxer then packetizes in
 * JavaScript, one copyWithin per packet).
 */
export function createWasmPacketizer(bytes: number): WasmPacketizer | undefined {
  const module = packetizeModule();
  if (!module) return undefined;
  const { memory, packetize } = instantiateWithMemory<{ memory: WebAssembly.Memory; packetize: WasmPacketizer['packetize'] }>(module, bytes);
  return { bytes: new Uint8Array(memory.buffer), packetize };
}
