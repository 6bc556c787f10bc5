// The matching actor (pool): keeps the identity index and the links, and joins Salesforce records
// and Intercom contacts. Stage `index` refreshes the index a page at a time for bulk runs; stage
// `match` takes record batches (bulk, event), changed contacts (event) and resyncs (retry,
// interactive).
import { IndexRefresh, MatchContacts, MatchRecords, MatchResync, WORK_CLASSES } from '../../protocol/index.ts';
import { type ActorDef, on } from '../../runtime/index.ts';
import { SettingsSource } from './item-settings.ts';
import { handleMatchContacts } from './match-contacts.ts';
import { handleMatchRecords } from './match-records.ts';
import { handleIndexRefresh } from './refresh.ts';
import { handleMatchResync } from './resync.ts';

export interface MatchingActorOptions {
  /** Match items handled at once per process and class (default: the host's). */
  concurrency?: number;
}

export function createMatchingActor(o: MatchingActorOptions = {}): ActorDef {
  const settings = new SettingsSource();
  return {
    name: 'matching',
    queues: [
      {
        stage: 'match',
        classes: WORK_CLASSES,
        concurrency: o.concurrency,
        handlers: [
          on(MatchRecords, (body, ctx) => handleMatchRecords(body, ctx, settings)),
          on(MatchContacts, (body, ctx) => handleMatchContacts(body, ctx, settings)),
          on(MatchResync, (body, ctx) => handleMatchResync(body, ctx, settings)),
        ],
      },
      {
        // A page sends the next on before indexing its own, so a few run side by side.
        stage: 'index',
        classes: ['bulk'],
        concurrency: 4,
        handlers: [on(IndexRefresh, (body, ctx) => handleIndexRefresh(body, ctx, settings))],
      },
    ],
  };
}

export const matchingActor: ActorDef = createMatchingActor();
