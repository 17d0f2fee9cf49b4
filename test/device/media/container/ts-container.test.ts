import { describe, expect, it } from 'vitest';
import { TsContainer } from '../../../../device/media/container/ts-container.ts';
import type { VideoConfig } from '../../../../device/media/video/video-unit.ts';
import { pesStarts, readPackets } from '../../../fixtures/ts-inspect.ts';
import { AVC, AVC_CONFIG, hex, unit } from '../stage-fixtures.ts';

const config: VideoConfig = AVC_CONFIG;
const SC = '00000001';

/** The first video PES's payload (all its packets) of a segment, as hex. */
function videoPayloads(ts: Uint8Array): string[] {
  const packets = readPackets(ts);
  const starts = pesStarts(packets).filter((p) => p.pid === 0x100);
  return starts.map((s, k) => {
    const next = starts[k + 1]?.packetIndex ?? Infinity;
    const rest = packets
      .filter((p) => p.pid === 0x100 && p.index > s.packetIndex && p.index < next && !p.pusi)
      .map((p) => Buffer.from(p.payload).toString('hex'));
    return Buffer.from(s.firstPayload).toString('hex') + rest.join('');
  });
}

describe('TsContainer: MPEG-TS segments that decode on their own', () => {
  it("a segment's first picture gets an AUD and the SPS/PPS in force in front; later ones an AUD only", () => {
    const c = new TsContainer();
    c.begin(config, undefined);
    c.writeVideo(unit({ isKey: true, nals: [AVC.IDR] }), 126_000, 126_000, true);
    c.writeVideo(unit({ isKey: false, nals: [AVC.P] }), 129_600, 129_600, false);
    const seg = c.finish();
    // 09 f0: the AUD camrec inserts (primary_pic_type 7, any).
    expect(videoPayloads(seg.bytes)).toEqual([
      `${SC}09f0${SC}${Buffer.from(AVC.SPS).toString('hex')}${SC}${Buffer.from(AVC.PPS).toString('hex')}${SC}${Buffer.from(AVC.IDR).toString('hex')}`,
      `${SC}09f0${SC}${Buffer.from(AVC.P).toString('hex')}`,
    ]);
    expect(seg.init).toBeUndefined();
    expect(seg.bytes.byteLength % 188).toBe(0);
  });

  it('a picture that brings its own AUD and SPS/PPS is written as it came', () => {
    const c = new TsContainer();
    c.begin(config, undefined);
    const nals = [AVC.AUD, AVC.SPS, AVC.PPS, AVC.IDR];
    c.writeVideo(unit({ isKey: true, hasAud: true, nals, sent: { vps: false, sps: true, pps: true } }), 126_000, 126_000, true);
    expect(videoPayloads(c.finish().bytes)[0]).toBe(nals.map((n) => SC + Buffer.from(n).toString('hex')).join(''));
  });

  it('bytes grow with what is written, and a bound for a picture is never under what it takes', () => {
    const c = new TsContainer();
    c.begin(config, undefined);
    const u = unit({ isKey: true, nals: [hex('65'.padEnd(20_000, 'ab'))] });
    const bound = c.bytesFor(u);
    const before = c.bytes;
    c.writeVideo(u, 126_000, 126_000, true);
    expect(c.bytes - before).toBeLessThanOrEqual(bound);
  });
});
