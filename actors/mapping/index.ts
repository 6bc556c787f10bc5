// The mapping actor's face. For now: its pure logic (conversion, diff, settings validation and
// defaults); the actor itself joins here later.
export {
  toIntercom, toSalesforce, sfComparable, icComparable, sameComparable, syncErrorCause, UNREADABLE,
  type Comparable, type ConversionCause, type ConvertResult, type WireValue,
} from './convert.ts';
export {
  diffPair, isEmptyDiff, readIcAttribute,
  type Change, type ConversionFailure, type DiffContext, type DiffFailureCause, type MatchedPair, type PairDiff,
} from './diff.ts';
export {
  validateSettings, type Problem, type ProblemCode, type ValidationContext, type ValidationResult,
} from './validate-settings.ts';
export { defaultSettings, DEFAULT_MAPPINGS } from './default-settings.ts';
export { pairKind, sfKind, icKind, MAPPABLE_SF_TYPES, MAPPABLE_IC_TYPES, type PairKind } from './type-pairs.ts';
export { startOfDayIn, calendarDateIn } from './time-zone.ts';
export { readSettings, writeSettings, SettingsCache, type StoredSettings } from './settings-store.ts';
