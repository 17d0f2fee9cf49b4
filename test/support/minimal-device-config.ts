import type { DeviceConfigInput } from '../../device/config/device-config-schema.ts';

/**
 * A device.json with only the required fields, so every default shows. Shared: spread or
 * `structuredClone` it before changing a field.
 */
export const MINIMAL_DEVICE_CONFIG: Readonly<DeviceConfigInput> = Object.freeze({
  deviceId: 'cam-1',
  region: 'eu-west-1',
  bucket: 'camrec-bucket',
  credentials: {
    endpoint: 'x.credentials.iot.eu-west-1.amazonaws.com',
    roleAlias: 'camrec',
    certificateFile: 'c.pem',
    privateKeyFile: 'k.pem',
    caFile: 'ca.pem',
  },
  contentKeyPublicKeyFile: 'content.pem',
  stateDir: 'state',
  buffer: { spoolDir: 'spool' },
});
