// The contract between every part of peoplesync: subjects, headers, definitions, schemas, codec.
export * from './subjects.ts';
export * from './headers.ts';
export * from './message.ts';
export * from './limits.ts';
export * from './codec.ts';
export * from './streams.ts';
export * from './control-error.ts';
export * from './errors.ts';
export * from './failures.ts';
export * from './enums.ts';
export * from './keys.ts';
export * from './kv-values.ts';
export * from './messages/index.ts';
export * from './settings.ts';
export * from './records.ts';
export * from './console.ts';
