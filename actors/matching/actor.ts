// The matching actor (pool): keeps the identity index and the links, and joins Salesforce records
// and Intercom contacts. Stage `index` refreshes the index a page at a time for bulk runs; stage
// `match` takes record batches (bulk, event), changed contacts (event) and resyncs (retry,
// interactive).
import { IndexRefresh, MatchContacts, MatchRecords, MatchResync, WORK_CLASSES } from '../../protocol/index.ts';
import { type ActorDef, defineActor, on } from '../../runtime/index.ts';
import { WorkspaceFacts } from '../domain/index.ts';
import { uses } from '../services.ts';
import { handleMatchContacts } from './match-contacts.ts';
import { handleMatchRecords } from './match-records.ts';
import { handleIndexRefresh } from './refresh.ts';
import { handleMatchResync } from './resync.ts';

export interface MatchingActorOptions {
  /** Match items handled at once per process and class (default: the host's). */
  concurrency?: number;
}

export function createMatchingActor(o: MatchingActorOptions = {}): ActorDef<WorkspaceFacts> {
  return defineActor({
    name: 'matching',
    needs: uses('salesforce', 'intercom', 'now'),
    // Per workspace: the settings of its runs and revisions, cached for the activation.
    init: (ctx) => new WorkspaceFacts(ctx),
  }).serve({
    queues: [
      {
        stage: 'match',
        classes: WORK_CLASSES,
        concurrency: o.concurrency,
        handlers: [
          on(MatchRecords, (body, ctx, facts) => handleMatchRecords(body, ctx, facts)),
          on(MatchContacts, (body, ctx, facts) => handleMatchContacts(body, ctx, facts)),
          on(MatchResync, (body, ctx, facts) => handleMatchResync(body, ctx, facts)),
        ],
      },
      {
        // A page sends the next on before indexing its own, so a few run side by side.
        stage: 'index',
        classes: ['bulk'],
        concurrency: 4,
        handlers: [on(IndexRefresh, (body, ctx, facts) => handleIndexRefresh(body, ctx, facts))],
      },
    ],
  });
}

export const matchingActor = createMatchingActor();
