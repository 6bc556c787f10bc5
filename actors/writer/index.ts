// The writer actor's face: the actor and its pure pieces (error causes, call batching).
export { writerActor, createWriterActor, type WriterActorOptions } from './actor.ts';
export { summariseSfFailure, icErrorCause, type SfFailureSummary } from './error-causes.ts';
export { WriteBatcher, type BatchMember, type BatcherOptions } from './batcher.ts';
export { settleLimited } from './pool.ts';
export { partKey } from './keys.ts';
