// The coordinator: one leader per workspace runs bulk syncs. It answers bulk.start/stop/status/
// history, counts the pipeline's reports from its leader queue exactly (LMDB), publishes progress
// and, at the end, the finished event and the email request. Tier changes pause and resume it.
import { join } from 'node:path';
import {
  BatchMapped,
  BulkHistory,
  BulkStart,
  BulkStatus,
  BulkStop,
  IndexPageListed,
  IndexRefreshed,
  PageScanned,
  PartWritten,
  TierChanged,
  WorkDeadLettered,
} from '../../protocol/index.ts';
import { type ActorContext, defineActor, endpoint, on, onEvent } from '../../runtime/index.ts';
import { uses } from '../services.ts';
import { Leader, type LeaderDeps } from './leader.ts';
import { RunStore } from './store.ts';

/** The leader of one leadership: its run store open and its current run loaded. */
async function openLeader(ctx: ActorContext<LeaderDeps>): Promise<Leader> {
  const leader = new Leader(ctx, RunStore.open(join(ctx.config.dataDir, `coordinator-${ctx.ws}.lmdb`)));
  try {
    await leader.open();
  } catch (err) {
    await leader.close();
    throw err;
  }
  return leader;
}

export const coordinatorActor = defineActor({
  name: 'coordinator',
  needs: uses('now', 'salesforce'),
  singleton: true,
  init: openLeader,
  dispose: (leader) => leader.close(),
}).serve({
  queues: [
    {
      stage: 'coord',
      classes: ['bulk'],
      concurrency: 16,
      handlers: [
        on(IndexPageListed, (body, ctx, leader) => leader.report({ kind: 'indexPage', body }, ctx)),
        on(IndexRefreshed, (body, ctx, leader) => leader.report({ kind: 'indexed', body }, ctx)),
        on(PageScanned, (body, ctx, leader) => leader.report({ kind: 'scanned', body }, ctx)),
        on(BatchMapped, (body, ctx, leader) => leader.report({ kind: 'mapped', body }, ctx)),
        on(PartWritten, (body, ctx, leader) => leader.report({ kind: 'written', body }, ctx)),
        on(WorkDeadLettered, (body, ctx, leader) => leader.deadLettered(body, ctx)),
      ],
    },
  ],
  endpoints: [
    endpoint(BulkStart, (body, _ctx, leader) => leader.start(body)),
    endpoint(BulkStop, (body, _ctx, leader) => leader.stop(body.reason, body.by)),
    endpoint(BulkStatus, (_body, _ctx, leader) => leader.status()),
    endpoint(BulkHistory, (body, _ctx, leader) => leader.history(body.limit)),
  ],
  events: [onEvent(TierChanged, (body, _ctx, leader) => leader.onTier(body.tier))],
});
