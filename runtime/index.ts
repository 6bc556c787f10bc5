// The only code that touches NATS, LMDB and the process lifecycle.
export * from './types.ts';
export * from './config.ts';
export * from './logger.ts';
export * from './connect.ts';
export * from './nats-tuning.ts';
export * from './provision.ts';
export * from './kv.ts';
export * from './lease.ts';
export * from './messenger.ts';
export * from './dead-letters.ts';
export * from './event-log.ts';
export * from './tokens.ts';
export * from './run-gate.ts';
export * from './work-queue.ts';
export * from './control.ts';
export * from './host.ts';
