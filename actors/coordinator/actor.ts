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
  ControlError,
  IndexPageListed,
  IndexRefreshed,
  PageScanned,
  PartWritten,
  TierChanged,
  WorkDeadLettered,
} from '../../protocol/index.ts';
import { type ActorContext, type ActorDef, endpoint, on, onEvent } from '../../runtime/index.ts';
import { Leader } from './leader.ts';
import { RunStore } from './store.ts';
import type { Report } from './tally.ts';

// Keyed by the leader's abort signal: every context the host hands this leader (endpoints,
// handlers, events) carries the same signal, and two hosts in one process never share one.
const leaders = new WeakMap<AbortSignal, Promise<Leader>>();
/** The host binds a leader's queues and endpoints a moment before calling start(). */
const READY_WAIT_MS = 5_000;

/** Retryable, so a report that arrives while the leader is still starting comes back shortly. */
class NotLeadingError extends Error {
  override name = 'NotLeadingError';
  readonly retryable = true;
  readonly retryAfterMs = 500;
}

async function leaderOf(ctx: ActorContext): Promise<Leader> {
  const l = leaders.get(ctx.signal);
  if (!l) throw new NotLeadingError(`coordinator of ${ctx.ws} is not ready here`);
  return l;
}

async function endpointLeader(ctx: ActorContext): Promise<Leader> {
  const deadline = Date.now() + READY_WAIT_MS;
  while (!leaders.has(ctx.signal) && Date.now() < deadline && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 50));
  const l = leaders.get(ctx.signal);
  if (!l) throw new ControlError('not_ready', `the coordinator of workspace ${ctx.ws} is starting; try again`, { status: 503 });
  return l;
}

const report = (kind: Report['kind']) => async (body: Report['body'], ctx: ActorContext) =>
  (await leaderOf(ctx)).report({ kind, body } as Report, ctx);

export const coordinatorActor: ActorDef = {
  name: 'coordinator',
  singleton: true,
  queues: [
    {
      stage: 'coord',
      classes: ['bulk'],
      concurrency: 16,
      handlers: [
        on(IndexPageListed, report('indexPage')),
        on(IndexRefreshed, report('indexed')),
        on(PageScanned, report('scanned')),
        on(BatchMapped, report('mapped')),
        on(PartWritten, report('written')),
        on(WorkDeadLettered, async (body, ctx) => (await leaderOf(ctx)).deadLettered(body, ctx)),
      ],
    },
  ],
  endpoints: [
    endpoint(BulkStart, async (body, ctx) => (await endpointLeader(ctx)).start(body)),
    endpoint(BulkStop, async (body, ctx) => (await endpointLeader(ctx)).stop(body.reason, body.by)),
    endpoint(BulkStatus, async (_body, ctx) => (await endpointLeader(ctx)).status()),
    endpoint(BulkHistory, async (body, ctx) => (await endpointLeader(ctx)).history(body.limit)),
  ],
  events: [onEvent(TierChanged, async (body, ctx) => (await leaders.get(ctx.signal))?.onTier(body.tier))],
  async start(ctx) {
    const ready = (async () => {
      const leader = new Leader(ctx, RunStore.open(join(ctx.deps.dataDir, `coordinator-${ctx.ws}.lmdb`)));
      try {
        await leader.open();
      } catch (err) {
        await leader.close();
        throw err;
      }
      return leader;
    })();
    leaders.set(ctx.signal, ready);
    try {
      await ready;
    } catch (err) {
      leaders.delete(ctx.signal);
      throw err;
    }
  },
  async stop(ctx) {
    const leader = leaders.get(ctx.signal);
    leaders.delete(ctx.signal);
    await (await leader?.catch(() => null))?.close();
  },
};
