// The writer actor (pool): Salesforce updates through sObject Collections (bulk and event items
// arriving close together share one call) and paced Intercom contact updates.
import type { SalesforceClient } from '../../connectors/index.ts';
import { WORK_CLASSES, type WorkClass, WriteIntercom, WriteSalesforce } from '../../protocol/index.ts';

const SHARED_CLASSES: ReadonlySet<WorkClass> = new Set<WorkClass>(['bulk', 'event']);
import { type ActorDef, type HandlerContext, on } from '../../runtime/index.ts';
import { WriteBatcher } from './batcher.ts';
import { handleWriteIntercom } from './write-intercom.ts';
import { type SfBatcher, handleWriteSalesforce, sendBatched } from './write-salesforce.ts';

export interface WriterActorOptions {
  /** How long an event item waits for others to share its call (default 200 ms; 0 = no sharing). */
  eventDelayMs?: number;
  /** For bulk items, the gap with no new item that sends a call (default 2 s); a call waits 15 s at most. */
  bulkDelayMs?: number;
  /** Records per Salesforce call (default 200, the most one call takes). */
  maxRecords?: number;
  /** Intercom updates in flight per item (default 8). */
  intercomConcurrency?: number;
}

export function createWriterActor(o: WriterActorOptions = {}): ActorDef {
  const delayMs = o.eventDelayMs ?? 200;
  // Nobody waits on a single bulk item: a call goes when full, when no item came for 2 s (the
  // run is ending; shorter gaps happen between scan pages on a busy worker), or after 15 s (well
  // inside the 30 s ack wait).
  const bulkDelayMs = o.bulkDelayMs ?? 2_000;
  const bulkMaxWaitMs = 15_000;
  const maxRecords = o.maxRecords ?? 200;
  // One batcher per client and class, i.e. per workspace, worker and class. Bulk and event items
  // share calls so a run spends ceil(updates / 200) calls however its batches split the updates;
  // retry and interactive items go at once (a person is waiting).
  const batchers = new WeakMap<SalesforceClient, Map<WorkClass, SfBatcher>>();
  const batcherFor = (ctx: HandlerContext): SfBatcher | null => {
    if (!SHARED_CLASSES.has(ctx.cls) || delayMs <= 0) return null;
    const sf = ctx.deps.salesforce(ctx.ws);
    let byClass = batchers.get(sf);
    if (!byClass) batchers.set(sf, (byClass = new Map()));
    let b = byClass.get(ctx.cls);
    if (!b) {
      const bulk = ctx.cls === 'bulk';
      b = new WriteBatcher({
        maxRecords,
        delayMs: bulk ? bulkDelayMs : delayMs,
        maxWaitMs: bulk ? bulkMaxWaitMs : delayMs,
        keyOf: (u) => u.id,
        send: sendBatched(sf, ctx.cls),
      });
      byClass.set(ctx.cls, b);
    }
    return b;
  };
  return {
    name: 'writer',
    queues: [
      // Enough items in flight for the batcher to fill calls of 200 from parts of a few dozen.
      {
        stage: 'sfwrite',
        classes: WORK_CLASSES,
        concurrency: 32,
        handlers: [on(WriteSalesforce, (body, ctx) => handleWriteSalesforce(body, ctx, batcherFor(ctx)))],
      },
      {
        stage: 'icwrite',
        classes: WORK_CLASSES,
        handlers: [on(WriteIntercom, (body, ctx) => handleWriteIntercom(body, ctx, o.intercomConcurrency ?? 8))],
      },
    ],
  };
}

export const writerActor: ActorDef = createWriterActor();
