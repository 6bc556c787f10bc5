// The mapping actor's face: the actor, and its pure logic (conversion, diff, batch planning,
// settings validation and defaults) that other folders may reuse.
export { mappingActor, createMappingActor, type MappingActorOptions } from './actor.ts';
export {
  toIntercom,
  toSalesforce,
  sfComparable,
  icComparable,
  sameComparable,
  syncErrorCause,
  UNREADABLE,
  type Comparable,
  type ConversionCause,
  type ConvertResult,
  type WireValue,
} from './convert.ts';
export {
  diffPair,
  isEmptyDiff,
  readIcAttribute,
  type Change,
  type ConversionFailure,
  type DiffContext,
  type DiffFailureCause,
  type MatchedPair,
  type PairDiff,
} from './diff.ts';
export { validateSettings, type Problem, type ProblemCode, type ValidationContext, type ValidationResult } from './validate-settings.ts';
export { defaultSettings, DEFAULT_MAPPINGS } from './default-settings.ts';
export { pairKind, sfKind, icKind, MAPPABLE_SF_TYPES, MAPPABLE_IC_TYPES, type PairKind } from './type-pairs.ts';
export { startOfDayIn, calendarDateIn } from './time-zone.ts';
export { readSettings, writeSettings, SettingsCache, type StoredSettings } from './settings-store.ts';
export {
  planBatch,
  chunk,
  failureCause,
  failedAttribute,
  MAX_PART_RECORDS,
  MAX_SAMPLES,
  type BatchPlan,
  type DiffSample,
  type IcUpdate,
  type Pair,
  type PairFailure,
  type PlanOptions,
  type Resolution,
  type SfUpdate,
} from './plan-batch.ts';
export { TtlCache } from './ttl-cache.ts';
export { problemsMessage, activeRunId, schemaChoices, SAVE_SCHEMA_MAX_AGE_MS } from './settings-endpoints.ts';
export { batchKey, errorIdsFor } from './map-pairs.ts';
