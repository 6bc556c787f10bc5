// The coordinator's face: the actor and its pure counting logic.
export { coordinatorActor } from './actor.ts';
export {
  applyReport,
  reportKey,
  batchIdsOf,
  newTally,
  objectComplete,
  isActive,
  SAMPLE_SIZE,
  type Report,
  type RunTally,
  type BatchTally,
  type ObjectTally,
  type Effect,
  type Step,
} from './tally.ts';
export { newRun, withProgress, workOf, endRun, applyTier, newestFirst, makeRunId, emptyCounts, type NewRun } from './run-state.ts';
