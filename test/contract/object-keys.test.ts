import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_TIME_MS,
  devicePrefix,
  eventEndKey,
  eventKey,
  hourFolder,
  initKey,
  imageKey,
  imageName,
  parseImageName,
  parseObjectKey,
  segmentKey,
  wrappedKeyKey,
} from '../../contract/index.ts';

const START = Date.UTC(2026, 2, 4, 5, 6, 7, 890);

describe('object keys', () => {
  it('lays out segments, keys and events under the device id', () => {
    expect(segmentKey({ deviceId: 'cam-1', startMs: START, seq: 42 })).toBe(`segments/cam-1/2026/03/04/05/${START}-42.ts`);
    expect(wrappedKeyKey({ deviceId: 'cam-1', keyId: 'ab'.repeat(16) })).toBe(`keys/cam-1/${'ab'.repeat(16)}.bin`);
    expect(eventKey({ deviceId: 'cam-1', startMs: START, eventId: 'e-1' })).toBe(`events/cam-1/${START}-e-1.json`);
    expect(devicePrefix('segments', 'cam-1')).toBe('segments/cam-1/');
    expect(hourFolder(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe('2026/12/31/23');
  });

  it('parses what it builds, for any valid parts', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_:-]{1,128}$/),
        fc.integer({ min: 0, max: MAX_TIME_MS }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        (deviceId, startMs, seq) => {
          expect(parseObjectKey(segmentKey({ deviceId, startMs, seq }))).toEqual({ kind: 'segment', deviceId, startMs, seq, container: 'ts' });
          expect(parseObjectKey(segmentKey({ deviceId, startMs, seq, container: 'fmp4' }))).toEqual({
            kind: 'segment',
            deviceId,
            startMs,
            seq,
            container: 'fmp4',
          });
        },
      ),
    );
    expect(parseObjectKey(`events/cam-1/${START}-e-1.json`)).toEqual({ kind: 'event', phase: 'start', deviceId: 'cam-1', startMs: START, eventId: 'e-1' });
    expect(parseObjectKey(`events/cam-1/${START}-e-1.end.json`)).toEqual({ kind: 'event', phase: 'end', deviceId: 'cam-1', startMs: START, eventId: 'e-1' });
    expect(eventEndKey({ deviceId: 'cam-1', startMs: START, eventId: 'e-1' })).toBe(`events/cam-1/${START}-e-1.end.json`);
    expect(parseObjectKey(`heartbeats/cam-1/${START}.json`)).toEqual({ kind: 'heartbeat', deviceId: 'cam-1', atMs: START });
    expect(parseObjectKey(`keys/cam-1/${'0f'.repeat(16)}.bin`)).toEqual({ kind: 'key', deviceId: 'cam-1', keyId: '0f'.repeat(16) });
    expect(parseObjectKey(`init/cam-1/${'0e'.repeat(16)}.mp4`)).toEqual({ kind: 'init', deviceId: 'cam-1', initId: '0e'.repeat(16) });
    expect(segmentKey({ deviceId: 'cam-1', startMs: START, seq: 42, container: 'fmp4' })).toMatch(/^segments\/cam-1\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d+-42\.m4s$/);
    expect(initKey({ deviceId: 'cam-1', initId: '0e'.repeat(16) })).toBe(`init/cam-1/${'0e'.repeat(16)}.mp4`);
  });

  it('lays out pictures by hour under images/ (continuous retention) or event-images/ (event retention), and parses them back', () => {
    expect(imageKey({ deviceId: 'cam-1', tsMs: START, imageId: 'ab12', event: false })).toBe(`images/cam-1/2026/03/04/05/${START}-ab12.jpg`);
    expect(imageKey({ deviceId: 'cam-1', tsMs: START, imageId: 'ab12', event: true })).toBe(`event-images/cam-1/2026/03/04/05/${START}-ab12.jpg`);
    expect(parseObjectKey(`event-images/cam-1/2026/03/04/05/${START}-ab12.jpg`)).toEqual({
      kind: 'image',
      deviceId: 'cam-1',
      tsMs: START,
      imageId: 'ab12',
      event: true,
    });
    expect(devicePrefix('images', 'cam-1')).toBe('images/cam-1/');
    expect(parseImageName(imageName({ tsMs: START, imageId: 'ab12' }))).toEqual({ tsMs: START, imageId: 'ab12' });
    expect(parseImageName('latest')).toBeUndefined();
    expect(parseImageName(`${START}-a/b`)).toBeUndefined();
    expect(() => imageKey({ deviceId: 'cam-1', tsMs: START, imageId: 'a-b', event: false })).toThrow(/image id/);
  });

  it.each([
    ['another top folder', `videos/cam-1/2026/03/04/05/${START}-42.ts`],
    ['an init id that is not 32 hex digits', `init/cam-1/${'0E'.repeat(16)}.mp4`],
    ['an init section with another extension', `init/cam-1/${'0e'.repeat(16)}.m4s`],
    ['an fMP4 segment as .mp4', `segments/cam-1/2026/03/04/05/${START}-42.mp4`],
    ['hour folder that disagrees with the start', `segments/cam-1/2026/03/04/06/${START}-42.ts`],
    ['path traversal in the device id', `segments/../2026/03/04/05/${START}-42.ts`],
    ['a device id with a space', `keys/cam 1/${'ab'.repeat(16)}.bin`],
    ['an upper-case key id', `keys/cam-1/${'AB'.repeat(16)}.bin`],
    ['an event id with a dot', `events/cam-1/${START}-e.1.json`],
    ['an end record with a dotted event id', `events/cam-1/${START}-e.1.end.json`],
    ['a heartbeat with a fraction', `heartbeats/cam-1/${START}.5.json`],
    ['a heartbeat in a sub-folder', `heartbeats/cam-1/x/${START}.json`],
    ['leading zeros in seq', `segments/cam-1/2026/03/04/05/${START}-042.ts`],
    ['a wrong extension', `segments/cam-1/2026/03/04/05/${START}-42.mp4`],
    ['an empty key', ''],
    ['a picture whose hour folder disagrees with its time', `images/cam-1/2026/03/04/06/${START}-ab12.jpg`],
    ['a picture id with a dash', `images/cam-1/2026/03/04/05/${START}-ab-12.jpg`],
    ['a picture that is not .jpg', `images/cam-1/2026/03/04/05/${START}-ab12.png`],
  ])('refuses %s', (_name, key) => {
    expect(() => parseObjectKey(key)).toThrow(/invalid|not under/);
  });

  it('refuses to build keys from bad parts', () => {
    expect(() => segmentKey({ deviceId: 'a/b', startMs: START, seq: 1 })).toThrow(/device id/);
    expect(() => segmentKey({ deviceId: 'a', startMs: -1, seq: 1 })).toThrow(/startMs/);
    expect(() => segmentKey({ deviceId: 'a', startMs: START, seq: 1.5 })).toThrow(/seq/);
    expect(() => wrappedKeyKey({ deviceId: 'a', keyId: 'xyz' })).toThrow(/key id/);
  });
});
