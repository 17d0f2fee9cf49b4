export * from './contract-error.ts';
export * from './ids.ts';
export * from './object-keys.ts';
export * from './segment-metadata.ts';
export * from './key-wrapping.ts';
export * from './lambda-env.ts';
export * from './index-table.ts';
