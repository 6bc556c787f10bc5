// The writer actor (pool): Salesforce updates through sObject Collections (bulk and event items
// arriving close together share one call) and paced Intercom contact updates, whose answers go
// into the identity index.
import { WORK_CLASSES, type WorkClass, WriteIntercom, WriteSalesforce } from '../../protocol/index.ts';
import { type ActorContext, type ActorDef, defineActor, on } from '../../runtime/index.ts';
import { type Uses, uses } from '../services.ts';
import { WorkspaceFacts } from '../domain/index.ts';
import { WriteBatcher } from './batcher.ts';
import { handleWriteIntercom } from './write-intercom.ts';
import { type SfBatcher, handleWriteSalesforce, sendBatched } from './write-salesforce.ts';

type Ctx = ActorContext<Uses<'salesforce'>>;

const SHARED_CLASSES: ReadonlySet<WorkClass> = new Set<WorkClass>(['bulk', 'event']);

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

/** One workspace's writer: its Salesforce batchers, one per class that shares calls. */
class WorkspaceWriter {
  private readonly batchers = new Map<WorkClass, SfBatcher>();
  /** The settings revisions its Intercom writes were mapped with (their identity key). */
  readonly facts: WorkspaceFacts;
  private readonly ctx: Ctx;
  private readonly o: Required<Pick<WriterActorOptions, 'eventDelayMs' | 'bulkDelayMs' | 'maxRecords'>>;

  constructor(ctx: Ctx, o: Required<Pick<WriterActorOptions, 'eventDelayMs' | 'bulkDelayMs' | 'maxRecords'>>) {
    this.ctx = ctx;
    this.o = o;
    this.facts = new WorkspaceFacts(ctx);
  }

  /** Bulk and event items share calls so a run spends ceil(updates / 200) calls however its
   * batches split the updates; retry and interactive items go at once (a person is waiting). */
  batcherFor(cls: WorkClass): SfBatcher | null {
    if (!SHARED_CLASSES.has(cls) || this.o.eventDelayMs <= 0) return null;
    let b = this.batchers.get(cls);
    if (!b) {
      const bulk = cls === 'bulk';
      b = new WriteBatcher({
        maxRecords: this.o.maxRecords,
        delayMs: bulk ? this.o.bulkDelayMs : this.o.eventDelayMs,
        // Nobody waits on a single bulk item: a call goes when full, when no item came for the
        // gap (the run is ending), or after 15 s (well inside the 30 s ack wait).
        maxWaitMs: bulk ? BULK_MAX_WAIT_MS : this.o.eventDelayMs,
        keyOf: (u) => u.id,
        send: sendBatched(this.ctx.deps.salesforce(this.ctx.ws), cls),
      });
      this.batchers.set(cls, b);
    }
    return b;
  }
}

const BULK_MAX_WAIT_MS = 15_000;

export function createWriterActor(o: WriterActorOptions = {}): ActorDef<WorkspaceWriter> {
  const opts = {
    eventDelayMs: o.eventDelayMs ?? 200,
    // Shorter gaps happen between scan pages on a busy worker.
    bulkDelayMs: o.bulkDelayMs ?? 2_000,
    maxRecords: o.maxRecords ?? 200,
  };
  return defineActor({
    name: 'writer',
    needs: uses('salesforce', 'intercom', 'now'),
    init: (ctx) => new WorkspaceWriter(ctx, opts),
  }).serve({
    queues: [
      // Enough items in flight for the batcher to fill calls of 200 from parts of a few dozen.
      {
        stage: 'sfwrite',
        classes: WORK_CLASSES,
        concurrency: 32,
        handlers: [on(WriteSalesforce, (body, ctx, w) => handleWriteSalesforce(body, ctx, w.batcherFor(ctx.cls)))],
      },
      {
        stage: 'icwrite',
        classes: WORK_CLASSES,
        handlers: [on(WriteIntercom, (body, ctx, w) => handleWriteIntercom(body, ctx, w.facts, o.intercomConcurrency ?? 8))],
      },
    ],
  });
}

export const writerActor = createWriterActor();
