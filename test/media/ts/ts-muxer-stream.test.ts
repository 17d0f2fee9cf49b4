import { describe, expect, it } from 'vitest';
import { TS_PACKET_BYTES } from '../../../media/ts/ts-constants.ts';
import { TsMuxer } from '../../../media/ts/ts-muxer.ts';
import type { SegmentStream } from '../../../media/ts/segment-stream.ts';
import { readPackets } from '../../fixtures/ts-inspect.ts';

const PART_BYTES = 64 * 1024;
const FRAME_TICKS = 3600;

/** A stream that keeps copies of its parts (the muxer reuses their memory) and its calls. */
function recorder(partBytes = PART_BYTES): SegmentStream & { parts: Uint8Array[][]; open: Uint8Array[]; discards: number } {
  const r = {
    partBytes,
    parts: [] as Uint8Array[][],
    open: [] as Uint8Array[],
    discards: 0,
    onPart(bytes: Uint8Array, last: boolean): void {
      r.open.push(Uint8Array.prototype.slice.call(bytes) as Uint8Array);
      bytes.fill(0x99); // the stream may scribble on the part (encrypt in place): the muxer must not read it again
      if (last) {
        r.parts.push(r.open);
        r.open = [];
      }
    },
    onDiscard(): void {
      r.discards++;
      r.open = [];
    },
  };
  return r;
}

/** Pictures of 1..60 KB with audio between them: PES boundaries at every kind of offset. */
function writeSegment(m: TsMuxer, s: number, frames: number, audio: boolean, t0: number, joinAudioAt = -1): void {
  for (let i = 0; i < frames; i++) {
    const t = t0 + i * FRAME_TICKS;
    if (i === joinAudioAt) m.addAudioToPmt();
    const nal = new Uint8Array(1000 + ((s * 7919 + i * 10_133) % 60_000));
    for (let j = 0; j < nal.byteLength; j += 97) nal[j] = (j + i) & 0xff;
    m.writeVideo([Uint8Array.of(0, 0, 0, 1), nal], t, t, i === 0);
    if (audio || (joinAudioAt >= 0 && i >= joinAudioAt)) m.writeAudio([new Uint8Array(300 + i).fill(0xaa)], t);
  }
}

const concat = (parts: Uint8Array[]): Buffer => Buffer.concat(parts);

/**
 * `count` segments written alike by `write` into a whole-segment muxer and a streaming one:
 * the segments the first handed over, the stream's record of the second, and per segment
 * both muxers' `bytes` before finishing and the view the streaming one's finishSegment() returned.
 */
function muxBoth(count: number, write: (m: TsMuxer, s: number) => void) {
  const whole = new TsMuxer();
  const stream = recorder();
  const streaming = new TsMuxer({ stream });
  const expected: Buffer[] = [];
  const sizes: Array<{ whole: number; streaming: number; streamingFinished: number }> = [];
  for (let s = 0; s < count; s++) {
    for (const m of [whole, streaming]) write(m, s);
    const size = { whole: whole.bytes, streaming: streaming.bytes };
    expected.push(Buffer.from(whole.finishSegment()));
    sizes.push({ ...size, streamingFinished: streaming.finishSegment().byteLength });
  }
  return { expected, stream, sizes };
}

describe('TsMuxer streaming segments out (SegmentStream)', () => {
  it('hands each segment over in parts of at least partBytes, whole packets, whose concatenation is the segment a non-streaming muxer writes', () => {
    const { expected, stream, sizes } = muxBoth(4, (m, s) => {
      m.beginSegment(true);
      writeSegment(m, s, 50, true, 126_000 + s * 50 * FRAME_TICKS);
    });
    for (const size of sizes) {
      expect(size.streaming).toBe(size.whole); // streamed bytes count toward the segment's size (the size cap)
      expect(size.streamingFinished).toBe(0);
    }
    expect(stream.parts).toHaveLength(4);
    for (let s = 0; s < 4; s++) {
      const parts = stream.parts[s]!;
      expect(parts.length).toBeGreaterThan(5); // ~1.5 MB segments in 64 KB parts
      expect(concat(parts).equals(expected[s]!)).toBe(true);
      for (const p of parts) expect(p.byteLength % TS_PACKET_BYTES).toBe(0);
      // Every part but the last is handed over at the first PES boundary past partBytes: under a picture more.
      for (const p of parts.slice(0, -1)) {
        expect(p.byteLength).toBeGreaterThanOrEqual(PART_BYTES);
        expect(p.byteLength).toBeLessThan(PART_BYTES + 64 * 1024);
      }
      expect(readPackets(concat(parts)).length).toBe(expected[s]!.byteLength / TS_PACKET_BYTES);
    }
  });

  it('holds a segment whose PMT may still change (audio may join) until audio joins, then streams it with the rewritten PMT', () => {
    const { expected: segments, stream } = muxBoth(1, (m) => {
      m.beginSegment(false, true);
      writeSegment(m, 0, 40, false, 126_000, 30);
    });
    const expected = segments[0]!;
    const parts = stream.parts[0]!;
    // Nothing went out before the PMT was rewritten at picture 30 (~900 KB in): the first part holds it all.
    expect(parts[0]!.byteLength).toBeGreaterThan(800_000);
    expect(concat(parts).equals(expected)).toBe(true);
    const pmt = readPackets(concat(parts))[1]!;
    expect(Buffer.from(pmt.payload).includes(Buffer.of(0x0f, 0xe1, 0x01))).toBe(true); // stream_type AAC (0x0F) on PID 0x101
  });

  it('a held segment that outgrows the WebAssembly buffer (~8.3 MB) goes on in plain memory: the same bytes, and the next segments too', () => {
    const { expected, stream } = muxBoth(2, (m, s) => {
      m.beginSegment(false, s === 0); // the first is held (audio may join) until it ends: ~9 MB in the muxer's buffer
      for (let i = 0, t = 126_000 + s * 90_000; i < 25; i++, t += FRAME_TICKS) {
        m.writeVideo([Uint8Array.of(0, 0, 0, 1), new Uint8Array(360_000).fill((s * 25 + i) & 0xff)], t, t, i === 0);
      }
    });
    expect(expected[0]!.byteLength).toBeGreaterThan(9_000_000);
    expect(stream.parts[0]).toHaveLength(1);
    expect(concat(stream.parts[0]!).equals(expected[0]!)).toBe(true);
    expect(stream.parts[1]!.length).toBe(26); // a part after each 360 KB picture, then the last
    expect(concat(stream.parts[1]!).equals(expected[1]!)).toBe(true);
  });

  it('refuses to rewrite a PMT it already streamed (a segment begun without audioMayJoin)', () => {
    const stream = recorder();
    const m = new TsMuxer({ stream });
    m.beginSegment(false);
    writeSegment(m, 0, 40, false, 126_000);
    expect(stream.open.length).toBeGreaterThan(0);
    expect(() => m.addAudioToPmt()).toThrow(/PMT was already streamed; begin the segment with audioMayJoin/);
  });

  it('tells the stream when a segment it has parts of is thrown away, and not when it has none', () => {
    const stream = recorder();
    const m = new TsMuxer({ stream });
    m.beginSegment(false);
    writeSegment(m, 0, 3, false, 126_000); // under a part: nothing sent
    m.discardSegment();
    expect(stream.discards).toBe(0);
    m.beginSegment(false);
    writeSegment(m, 1, 40, false, 126_000);
    expect(stream.open.length).toBeGreaterThan(0);
    m.discardSegment();
    expect(stream.discards).toBe(1);
    m.beginSegment(false);
    writeSegment(m, 2, 10, false, 126_000);
    m.finishSegment();
    expect(stream.parts).toHaveLength(1);
    expect(readPackets(concat(stream.parts[0]!))[0]!.pid).toBe(0); // starts afresh with a PAT
  });

  it('passes a stream error out of the write call that caused it', () => {
    const m = new TsMuxer({
      stream: {
        partBytes: 1024,
        onPart: () => {
          throw new Error('disk full');
        },
        onDiscard: () => {},
      },
    });
    m.beginSegment(false);
    expect(() => writeSegment(m, 0, 2, false, 126_000)).toThrow('disk full');
  });
});
