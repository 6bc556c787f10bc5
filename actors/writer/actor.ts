// The writer actor (pool): Salesforce updates through sObject Collections (event items arriving
// close together share one call) and paced Intercom contact updates.
import type { SalesforceClient } from '../../connectors/index.ts';
import { WORK_CLASSES, WriteIntercom, WriteSalesforce } from '../../protocol/index.ts';
import { type ActorDef, type HandlerContext, on } from '../../runtime/index.ts';
import { WriteBatcher } from './batcher.ts';
import { handleWriteIntercom } from './write-intercom.ts';
import { type SfBatcher, handleWriteSalesforce, sendBatched } from './write-salesforce.ts';

export interface WriterActorOptions {
  /** How long an event item waits for others to share its call (default 200 ms; 0 = no sharing). */
  eventDelayMs?: number;
  /** Records per Salesforce call (default 200, the most one call takes). */
  maxRecords?: number;
  /** Intercom updates in flight per item (default 8). */
  intercomConcurrency?: number;
}

export function createWriterActor(o: WriterActorOptions = {}): ActorDef {
  const delayMs = o.eventDelayMs ?? 200;
  const maxRecords = o.maxRecords ?? 200;
  // One batcher per client, i.e. per workspace and worker.
  const batchers = new WeakMap<SalesforceClient, SfBatcher>();
  const batcherFor = (ctx: HandlerContext): SfBatcher | null => {
    if (ctx.cls !== 'event' || delayMs <= 0) return null;
    const sf = ctx.deps.salesforce(ctx.ws);
    let b = batchers.get(sf);
    if (!b) {
      b = new WriteBatcher({ maxRecords, delayMs, keyOf: (u) => u.id, send: sendBatched(sf) });
      batchers.set(sf, b);
    }
    return b;
  };
  return {
    name: 'writer',
    queues: [
      { stage: 'sfwrite', classes: WORK_CLASSES, handlers: [on(WriteSalesforce, (body, ctx) => handleWriteSalesforce(body, ctx, batcherFor(ctx)))] },
      { stage: 'icwrite', classes: WORK_CLASSES, handlers: [on(WriteIntercom, (body, ctx) => handleWriteIntercom(body, ctx, o.intercomConcurrency ?? 8))] },
    ],
  };
}

export const writerActor: ActorDef = createWriterActor();
