// What several actors share about a workspace: settings and their revisions, run facts, the
// identity key, the fields to read. Actors reach it only through this face.
export { readSettings, writeSettings, type StoredSettings } from './settings-store.ts';
export { WorkspaceFacts, type RunFacts, type ItemSettings } from './workspace.ts';
export { matchKeyOf, type MatchKey } from './identity.ts';
export { sfFieldsFor, fieldsToRead } from './fields.ts';
