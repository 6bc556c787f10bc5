// Every KV key format the runtime and more than one actor share, by bucket. Keys of data one actor
// alone owns are spelled in that actor beside their store (the identity index and links in
// matching/keys.ts, sync errors in errors/error-id.ts, write records in writer/outcomes.ts,
// counted reports in coordinator/records.ts, the usage window in quota/store.ts).
import type { SfObject } from './enums.ts';

export const Keys = {
  /** settings: one entry per workspace; its KV revision is the settings revision. */
  settings: (ws: string) => ws,
  /** runs: each run's record, and the workspace's current run. */
  run: (ws: string, runId: string) => `${ws}.runs.${runId}`,
  runs: (ws: string) => `${ws}.runs.*`,
  currentRun: (ws: string) => `${ws}.current`,
  /** cursors: where the change polls of each system go on from, the last change event handled,
   * and when the poll clock last asked for a poll. */
  sfCursor: (ws: string, object: SfObject) => `${ws}.sf.${object}`,
  icCursor: (ws: string) => `${ws}.ic`,
  changeStream: (ws: string) => `${ws}.stream`,
  pollClock: (ws: string) => `${ws}.clock`,
  /** leases: one per singleton actor and workspace. */
  lease: (actor: string, ws: string) => `${actor}.${ws}`,
} as const;
