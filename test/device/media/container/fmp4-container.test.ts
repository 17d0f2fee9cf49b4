import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AdtsHeader } from '../../../../media/aac/adts-header.ts';
import { Fmp4Container } from '../../../../device/media/container/fmp4-container.ts';
import type { VideoConfig } from '../../../../device/media/video/video-unit.ts';
import { findBox, findBoxes, outline, readBoxes, segmentDecodeSpans } from '../../../fixtures/mp4-inspect.ts';
import { HEVC, unit } from '../stage-fixtures.ts';

const hevc: VideoConfig = {
  codec: 'h265',
  codecString: 'hvc1.1.6.L60.90',
  width: 426,
  height: 240,
  fps: 25,
  vps: [HEVC.VPS],
  sps: [HEVC.SPS],
  pps: [HEVC.PPS],
  maxReorder: 2,
  generation: 3,
};
/** AAC-LC 48 kHz stereo: audioObjectType 2, channel_configuration 2. */
const aac = { audioObjectType: 2, sampleRateHz: 48_000, channels: 2 } as AdtsHeader;
/** An ADTS frame: ff f1 (sync, MPEG-4, no CRC: 7-byte header) 50 80 ... then 4 bytes of raw AAC. */
const adts = Uint8Array.from([0xff, 0xf1, 0x50, 0x80, 0x01, 0x7f, 0xfc, 0x21, 0x10, 0x04, 0x60]);

function segment(c: Fmp4Container, withAudio: boolean, firstDts: number): ReturnType<Fmp4Container['finish']> {
  c.begin(hevc, withAudio ? aac : undefined);
  c.writeVideo(unit({ isKey: true, nals: [HEVC.VPS, HEVC.SPS, HEVC.PPS, HEVC.IDR], offset: 500 }), firstDts, firstDts);
  c.writeVideo(unit({ isKey: false, nals: [HEVC.trailP(2)], offset: 900 }), firstDts + 3600, firstDts + 3600);
  if (withAudio)
    c.writeAudio([
      { frame: adts, ticks: firstDts },
      { frame: adts, ticks: firstDts + 1920 },
    ]);
  expect(c.heldFrom).toBe(500); // pictures are views of the input until the segment ends
  return c.finish(firstDts + 7200);
}

describe('Fmp4Container: fMP4 media segments with init sections named by their hash', () => {
  it('writes styp + moof + mdat, and an init section (ftyp + moov with hvc1/hvcC and mp4a) named by its SHA-256', () => {
    const c = new Fmp4Container();
    const s = segment(c, true, 126_000);
    expect(outline(readBoxes(s.bytes))).toMatch(/^styp moof\(mfhd traf\(tfhd tfdt trun\) traf\(tfhd tfdt trun\)\) mdat$/);
    const init = s.init!;
    expect(init.id).toBe(createHash('sha256').update(init.bytes).digest('hex').slice(0, 32));
    const boxes = readBoxes(init.bytes);
    expect(findBox(boxes, 'moov/trak/mdia/minf/stbl/stsd/hvc1/hvcC')).toBeDefined();
    expect(findBoxes(boxes, 'moov/trak/mdia/minf/stbl/stsd/mp4a/esds')).toHaveLength(1);
    // The parameter sets live in hvcC: the samples carry the IDR slice alone (4-byte length + NAL unit).
    const mdat = findBox(readBoxes(s.bytes), 'mdat')!.payload;
    expect(mdat.byteLength).toBe(4 + HEVC.IDR.byteLength + 4 + HEVC.trailP(2).byteLength + 2 * 4);
    expect(c.heldFrom).toBe(Infinity);
  });

  it('the same configuration shares one init section; audio switched off gets its own, and decode times run on', () => {
    const c = new Fmp4Container();
    const a = segment(c, true, 126_000);
    const b = segment(c, true, 133_200);
    const v = segment(c, false, 140_400);
    expect(b.init).toBe(a.init);
    expect(v.init!.id).not.toBe(a.init!.id);
    expect(findBoxes(readBoxes(v.init!.bytes), 'moov/trak/mdia/minf/stbl/stsd/mp4a')).toHaveLength(0);
    const spans = [a, b, v].map((s) => segmentDecodeSpans(s.bytes).get(1)!);
    expect(spans[1]!.start).toBe(spans[0]!.end);
    expect(spans[2]!.start).toBe(spans[1]!.end);
  });

  it("a bound per picture covers its samples' bytes", () => {
    const c = new Fmp4Container();
    c.begin(hevc, undefined);
    const u = unit({ isKey: true, nals: [HEVC.IDR] });
    const before = c.bytes;
    c.writeVideo(u, 0, 0);
    expect(c.bytes - before).toBe(c.bytesFor(u));
  });
});
