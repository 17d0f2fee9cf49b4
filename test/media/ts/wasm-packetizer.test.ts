import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TS_PACKET_BYTES, TS_PAYLOAD_BYTES } from '../../../media/ts/ts-constants.ts';
import { createWasmPacketizer } from '../../../media/ts/wasm-packetizer.ts';
import { readPackets } from '../../fixtures/ts-inspect.ts';

describe('createWasmPacketizer (ts-packetize.wat)', () => {
  // The muxer stages a PES right-aligned in its packets, so packet i's payload is 4 bytes
  // closer to it than packet i-1's: at least 4 bytes per packet still to write, plus `extra`.
  it.each([0, 1, 3, 12, 15, 16, 17, 100, 4000])(
    'writes full packets over payload staged 4 bytes a packet + %i past them: headers with counters on, the payload moved down intact',
    (extra) => {
      const w = createWasmPacketizer(1024 * 1024)!;
      expect(w).toBeDefined(); // this Node runs WebAssembly SIMD
      const n = 37;
      const dst = 1000;
      const src = dst + 4 * n + extra; // the last packet's payload starts `extra` bytes past its header (0: right behind it)
      const payload = new Uint8Array(n * TS_PAYLOAD_BYTES).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
      w.bytes.set(payload, src);
      const cc = w.packetize(src, dst, n, 0x01, 0x00, 0x10, 14);
      expect(cc).toBe((14 + n) & 0x0f);
      const packets = readPackets(w.bytes.subarray(dst, dst + n * TS_PACKET_BYTES));
      expect(packets.map((p) => p.cc)).toEqual(Array.from({ length: n }, (_, i) => (15 + i) & 0x0f));
      expect(packets.every((p) => p.pid === 0x100 && !p.pusi && p.control === 1)).toBe(true);
      expect(Buffer.concat(packets.map((p) => p.payload)).equals(Buffer.from(payload))).toBe(true);
    },
  );

  it('is missing under --lite-mode (how the agent runs: no WebAssembly), where a streaming muxer packetizes in JavaScript to the same bytes', () => {
    const script = `
      import { TsMuxer } from './media/ts/ts-muxer.ts';
      import { createWasmPacketizer } from './media/ts/wasm-packetizer.ts';
      const run = (stream) => {
        const parts = [];
        const m = new TsMuxer(stream ? { stream: { partBytes: 4096, onPart: (b) => parts.push(Buffer.from(b)), onDiscard() {} } } : {});
        m.beginSegment(true);
        for (let i = 0, t = 126000; i < 30; i++, t += 3600) {
          m.writeVideo([Uint8Array.of(0, 0, 0, 1), new Uint8Array(500 + i * 977).fill(i)], t, t, i === 0);
          m.writeAudio([new Uint8Array(200 + i).fill(0xaa)], t);
        }
        const whole = m.finishSegment();
        return stream ? Buffer.concat(parts) : Buffer.from(whole);
      };
      console.log(JSON.stringify({ wasm: createWasmPacketizer(1 << 20) !== undefined, same: run(true).equals(run(false)), bytes: run(true).length }));
    `;
    const out = execFileSync(process.execPath, ['--lite-mode', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const r = JSON.parse(out) as { wasm: boolean; same: boolean; bytes: number };
    expect(r.wasm).toBe(false);
    expect(r.same).toBe(true);
    expect(r.bytes).toBeGreaterThan(100 * TS_PACKET_BYTES);
  });
});
