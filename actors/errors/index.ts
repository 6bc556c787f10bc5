// The errors actor's face: its pure logic (error ids, merging occurrences, causes, queries,
// resync keys). The actor itself is in actor.ts, registered in actors/index.ts.
export { errorId, errorKey, recordRef, canonicalAttributes, toSf18, ERROR_ID, type ErrorIdentity } from './error-id.ts';
export {
  mergeOccurrence,
  publicError,
  isResolvedBy,
  occurrenceKey,
  StoredErrorSchema,
  SEEN_LIMIT,
  type Occurrence,
  type StoredError,
  type Resolution,
} from './merge.ts';
export { causeOfSalesforce, causeOfIntercom } from './causes.ts';
export { listErrors, countByCause, matchesQuery, newestFirst, retryItem, type ListQuery, type DirectionFilter } from './query.ts';
export { parseResyncKey, ResyncKeyError, type ResyncTarget } from './resync-key.ts';
