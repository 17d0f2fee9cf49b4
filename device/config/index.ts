export * from './device-config-schema.ts';
export * from './load-device-config.ts';
