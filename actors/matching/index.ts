// The matching actor's face: the actor, and its pure logic (normalisation, index entries, the
// join) that other folders may reuse.
export { matchingActor, createMatchingActor, type MatchingActorOptions } from './actor.ts';
export { normaliseEmail, normaliseKeyValue } from './normalise.ts';
export {
  entryFor,
  entryKey,
  recordKey,
  slimContact,
  sameIndexed,
  changedAttributes,
  mattersToSalesforce,
  type IndexEntry,
} from './entry.ts';
export {
  joinRecords,
  tally,
  tallyForContacts,
  eligible,
  type Candidates,
  type IcLinks,
  type JoinInput,
  type JoinRecord,
  type JoinResult,
  type Outcome,
  type Tally,
} from './join.ts';
export { indexKeys, linkKeys, digest, keyToken, fromKeyToken } from './keys.ts';
export { objectOfId } from './resync.ts';
export { INDEX_PAGE_SIZE } from './refresh.ts';
export { indexWritten } from './written.ts';
export type { Lookup } from './index-store.ts';
export type { SfLink } from './link-store.ts';
