import { describe, expect, test } from 'vitest';
import { deviceMay, S3Action, type DeviceRequest } from '../../../local/s3-front/device-policy.ts';

const base: DeviceRequest = {
  thingName: 'cam-1',
  thingTypeName: 'camrec-camera',
  action: S3Action.PUT_OBJECT,
  bucket: 'b',
  key: 'segments/cam-1/2026/01/01/00/1-1.ts',
  ifNoneMatch: '*',
  isCopy: false,
};
const may = (over: Partial<DeviceRequest>) => deviceMay({ bucket: 'b', thingTypeName: 'camrec-camera' }, { ...base, ...over }).allowed;

describe('device policy', () => {
  test.each(['segments/cam-1/2026/01/01/00/1-1.ts', 'keys/cam-1/0123.bin', 'events/cam-1/1-e.json'])('allows a write-once PUT of %s', (key) => {
    expect(may({ key })).toBe(true);
  });

  test.each([
    ['another device', { key: 'segments/cam-10/x.ts' }],
    ['a prefix only', { key: 'segments/cam-1/' }],
    ['another folder', { key: 'state/cam-1/x' }],
    ['a dot segment', { key: 'segments/cam-1/../cam-2/x.ts' }],
    ['a dot segment at the end', { key: 'segments/cam-1/x/..' }],
    ['a single-dot segment', { key: 'segments/cam-1/./x.ts' }],
    ['a backslash (kept literally by S3)', { key: 'segments/cam-1/x\\..\\y.ts' }],
    ['a thing of another type', { thingTypeName: 'thermostat' }],
    ['a thing with no type', { thingTypeName: undefined }],
    ['no If-None-Match', { ifNoneMatch: undefined }],
    ['If-None-Match with an etag', { ifNoneMatch: '"abc"' }],
    ['a copy', { isCopy: true }],
    ['GetObject', { action: S3Action.GET_OBJECT }],
    ['ListBucket', { action: S3Action.LIST_BUCKET, key: undefined }],
    ['DeleteObject', { action: S3Action.DELETE_OBJECT }],
    ['another bucket', { bucket: 'other' }],
    ['no thing name', { thingName: undefined }],
  ] as const)('denies %s', (_, over) => {
    expect(may(over)).toBe(false);
  });

  test('the denial says what is allowed', () => {
    const d = deviceMay({ bucket: 'b', thingTypeName: 'camrec-camera' }, { ...base, key: 'segments/cam-2/x.ts' });
    expect(d.allowed === false && d.reason).toMatch(/segments\/cam-1\/, init\/cam-1\/, keys\/cam-1\/, events\/cam-1\//);
  });
});
