import { compileWasm, instantiateWithMemory } from '../wasm-module.ts';
import { START_CODE_SCAN_WASM_BASE64 } from './start-code-scan-wasm.ts';

const START_CODE_3 = Buffer.from([0, 0, 1]);
/** Bytes scanned per WebAssembly call: the data is copied into the module's memory a window at a time. */
const WINDOW_BYTES = 64 * 1024;
/** Where the scan writes its hits in the module's memory (after the window and its 2 bytes of overlap). */
const OUT_AT = WINDOW_BYTES + 16;
/** At most one start code per 3 bytes. */
const MAX_HITS = Math.ceil(WINDOW_BYTES / 3);

interface Scanner {
  scan: (from: number, to: number, out: number) => number;
  bytes: Uint8Array;
  hits: Int32Array;
}

let scanner: Scanner | null | undefined;

/** The WebAssembly scanner, or null where this Node cannot run WebAssembly SIMD (then indexOf does the work). */
function wasmScanner(): Scanner | null {
  if (scanner !== undefined) return scanner;
  const module = compileWasm(START_CODE_SCAN_WASM_BASE64);
  if (!module) return (scanner = null);
  const { scan, memory } = instantiateWithMemory<{ scan: Scanner['scan']; memory: WebAssembly.Memory }>(module, OUT_AT + MAX_HITS * 4);
  return (scanner = { scan, bytes: new Uint8Array(memory.buffer), hits: new Int32Array(memory.buffer, OUT_AT, MAX_HITS) });
}

/** Which scan findStartCodes uses on this Node: WebAssembly SIMD, or Buffer.indexOf where that is missing. */
export function startCodeScanKind(): 'wasm-simd' | 'indexOf' {
  return wasmScanner() ? 'wasm-simd' : 'indexOf';
}

/**
 * Every 3-byte Annex-B start code (00 00 01) that begins at or after `from` in `data`, as
 * the offsets of its first byte, in order: the offsets `indexOf([0, 0, 1], p + 3)` finds
 * from each hit on (start codes cannot overlap), at about 3.5x the speed: Node's indexOf for a 3-byte needle looks for its first byte, 0x00,
 * and video data is ~8 % zero bytes, so it stops every dozen bytes; this copies the data
 * into a WebAssembly module 64 KB at a time and tests 16 offsets per SIMD step (bench input,
 * 121.5 MB: 105 -> 33 ms). Where WebAssembly SIMD is missing it uses indexOf.
 */
export function findStartCodes(data: Uint8Array, from: number): number[] {
  const s = wasmScanner();
  const last = data.byteLength - 2; // a start code begins before this
  if (!s) return findWithIndexOf(data, from);
  const starts: number[] = [];
  for (let at = Math.max(0, from); at < last; at += WINDOW_BYTES) {
    const end = Math.min(at + WINDOW_BYTES, last);
    s.bytes.set(data.subarray(at, end + 2), 0);
    const n = s.scan(0, end - at, OUT_AT);
    for (let i = 0; i < n; i++) starts.push(at + s.hits[i]!);
  }
  return starts;
}

/** findStartCodes without WebAssembly (exported for its test). */
export function findWithIndexOf(data: Uint8Array, from: number): number[] {
  const starts: number[] = [];
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let p = buf.indexOf(START_CODE_3, Math.max(0, from)); p >= 0; p = buf.indexOf(START_CODE_3, p + 3)) starts.push(p);
  return starts;
}
