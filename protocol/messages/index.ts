export * from './common.ts';
export * from './sync.ts';
export * from './bulk.ts';
export * from './quota.ts';
export * from './errors.ts';
export * from './admin.ts';
