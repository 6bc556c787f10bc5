// One durable pull consumer per (stage, class), consumed with bounded in-flight work. Decoding is
// one step; poison goes to the DLQ and is acked; handler errors marked retryable are nak'ed with
// exponential backoff, the rest (and anything on its last delivery) go to the DLQ. Items taken
// from the consumer are kept with progress heartbeats while they wait for a slot and while they
// run, so a slow item on a busy worker is not handed to another worker and done twice; a handler
// still running after `holdMs` gets no more, and its item goes to another worker.
// Every item leaves a trace: refused by size or shape before its body is read (DLQ), naming a run
// never recorded (DLQ `unknown_run` after a few looks), or of a workspace no process serves (DLQ
// `unserved` on its last delivery). A run's item dead-lettered after its handler failed is told
// to the run's coordinator (`onDeadLetter`), which fails the run rather than wait for it.
import type { ConsumerMessages, JsMsg, MsgHdrs, NatsConnection } from 'nats';
import {
  type ConsumerDef,
  DecodeError,
  type DecodeLimits,
  type DlqReason,
  Headers,
  RUN_WORK_STAGES,
  RetryableError,
  RunIdSchema,
  SubjectError,
  type WorkClass,
  checkWorkspaceId,
  decodeBody,
  decodeMessage,
  failureOf,
} from '../protocol/index.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import type { Logger } from './logger.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { type RunGate, RunInactiveError } from './run-gate.ts';
import type { Accepted, QueueBinding, WorkHandler } from './actor.ts';
import type { HandlerContext } from './types.ts';

export interface WorkQueueOptions {
  nc: NatsConnection;
  prefix: string;
  consumer: ConsumerDef;
  binding: QueueBinding;
  concurrency: number;
  dlq: DeadLetterStore;
  gate: RunGate;
  log: Logger;
  /** The context and instance to handle an item in; null when this process does not serve the
   * workspace (or no longer leads it): the item is left for one that does. */
  context(ws: string, cls: WorkClass, m: JsMsg, run: string | null): { ctx: HandlerContext; self: unknown } | null;
  backoff?: { baseMs: number; maxMs: number };
  /** How long an item taken is kept by heartbeats (default ten ack waits). */
  holdMs?: number;
  metrics?: RuntimeMetrics;
  limits: DecodeLimits;
  /** A run's item went to the DLQ after its handler failed: tell the run's coordinator. */
  onDeadLetter?(letter: RunDeadLetter): Promise<void>;
}

export interface RunDeadLetter {
  ws: string;
  run: string;
  stage: string;
  type: string | null;
  subject: string;
  reason: DlqReason;
  error: string;
  dlqSeq: number;
}

/** Reasons for which a run's item is told to its coordinator: the item was the run's work. */
const RUN_FAILING: ReadonlySet<DlqReason> = new Set<DlqReason>(['permanent_error', 'max_deliveries']);

function validWorkspace(ws: string): boolean {
  try {
    checkWorkspaceId(ws);
    return true;
  } catch (err) {
    if (err instanceof SubjectError) return false;
    throw err;
  }
}

/** The headers an item's handling reads, in one pass over them (each `get` of nats.js lists and
 * filters every key). */
function itemHeaders(h: MsgHdrs | undefined): { type?: string; contentType?: string; run?: string } {
  const out: { type?: string; contentType?: string; run?: string } = {};
  if (!h) return out;
  for (const [k, v] of h) {
    if (k === Headers.type) out.type = v[0] || undefined;
    else if (k === Headers.contentType) out.contentType = v[0] || undefined;
    else if (k === Headers.run) out.run = v[0] || undefined;
  }
  return out;
}

export function backoffMs(deliveryCount: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, deliveryCount - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

export class WorkQueue {
  private messages: ConsumerMessages | null = null;
  /** Items being handled, and who waits for one to end (the loop for a slot, `stop` for none). */
  private active = 0;
  private slotFreed: (() => void) | null = null;
  private drained: (() => void) | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private readonly o: WorkQueueOptions;
  private readonly handlers: Map<string, WorkHandler>;
  /** Items taken and not yet settled, with when they were taken. */
  private readonly held = new Map<JsMsg, number>();
  private heartbeat: NodeJS.Timeout | null = null;

  /** Where an item's workspace token starts in its subject, and the class this consumer reads:
   * every item matches the filter `<prefix>.work.<ws or *>.<stage>.<class>`, so only the
   * workspace varies. */
  private readonly wsAt: number;
  readonly cls: WorkClass;

  constructor(o: WorkQueueOptions) {
    this.o = o;
    this.handlers = new Map(o.binding.handlers.map((h) => [h.def.type, h]));
    this.wsAt = `${o.prefix}.work.`.length;
    this.cls = o.consumer.filterSubject.slice(o.consumer.filterSubject.lastIndexOf('.') + 1) as WorkClass;
  }

  get consumer(): ConsumerDef {
    return this.o.consumer;
  }

  get stage(): string {
    return this.o.binding.stage;
  }

  async start(): Promise<void> {
    const c = await this.o.nc.jetstream().consumers.get(this.o.consumer.stream, this.o.consumer.durable);
    this.messages = await c.consume({ max_messages: Math.max(1, this.o.concurrency), expires: 5_000 });
    this.heartbeat = setInterval(() => this.beat(), Math.max(100, Math.floor(this.o.consumer.ackWaitMs / 3)));
    this.heartbeat.unref();
    this.loop = this.run(this.messages);
  }

  /** Tells the server the items held are being worked on (their ack wait starts again). */
  private beat(): void {
    const now = Date.now();
    const holdMs = this.o.holdMs ?? this.o.consumer.ackWaitMs * 10;
    for (const [m, since] of this.held) {
      if (now - since > holdMs) continue;
      try {
        m.working();
      } catch {
        // Connection closing: the item is redelivered, as it would be without heartbeats.
      }
    }
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const m of messages) {
      if (this.stopping) {
        m.nak();
        continue;
      }
      this.held.set(m, Date.now());
      while (this.active >= this.o.concurrency)
        await new Promise<void>((r) => {
          this.slotFreed = r;
        });
      this.active++;
      void this.process(m);
    }
  }

  /** Handles one item; whatever happens, its slot is given back. */
  private async process(m: JsMsg): Promise<void> {
    try {
      await this.handle(m);
    } catch (err) {
      // handle() answers every item; this is a failure while answering (the connection gone):
      // the item comes back when its ack wait ends.
      this.o.log.error({ err }, 'work item left unanswered');
    } finally {
      this.held.delete(m);
      this.active--;
      const wake = this.slotFreed;
      this.slotFreed = null;
      wake?.();
      if (this.active === 0) this.drained?.();
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    const end = m.subject.indexOf('.', this.wsAt);
    const token = end > this.wsAt ? m.subject.slice(this.wsAt, end) : '';
    // A subject token that is no workspace id still gets its letter, under `_unknown`.
    const ws = validWorkspace(token) ? token : '_unknown';
    const stage = this.o.binding.stage;
    if (m.info.deliveryCount > 1) this.o.metrics?.redeliveries.inc({ stage, class: this.cls });
    let accepted: Accepted<HandlerContext, unknown>;
    let run: string | null;
    try {
      // Decoded once and validated once, by the handler's own definition.
      const { type, contentType, run: runHeader } = itemHeaders(m.headers);
      const handler = type ? this.handlers.get(type) : undefined;
      if (!handler) {
        const decoded = decodeMessage(type, m.data, contentType, this.o.limits); // the precise reason when it is poison anyway
        throw new DecodeError('unknown_type', `stage ${stage} does not accept "${decoded.def.type}"`);
      }
      accepted = handler.accept(decodeBody(m.data, contentType, this.o.limits));
      run = runHeader ?? null;
      if (run !== null && !RunIdSchema.safeParse(run).success) throw new DecodeError('invalid_body', 'the ps-run header is not a run id');
    } catch (err) {
      const e = err as DecodeError;
      this.logFor(m, ws).warn({ reason: e.reason, err: e, subject: m.subject.slice(0, 300) }, 'poison message to the dead-letter stream');
      await this.deadLetter(m, ws, stage, e.reason ?? 'undecodable', e.message, null);
      return;
    }
    try {
      const target = ws === '_unknown' ? null : this.o.context(ws, this.cls, m, run);
      if (!target) {
        await this.unserved(m, ws, stage);
        return;
      }
      if (run) {
        const state = await this.o.gate.state(ws, run);
        // A replica may be a moment behind the write that created the run: asked again shortly,
        // then dead-lettered as `unknown_run`.
        if (state === 'unknown')
          throw new RetryableError(`run ${run} was never recorded in workspace ${ws}`, {
            name: 'UnknownRunError',
            retryAfterMs: 1_000,
            dlqReason: 'unknown_run',
          });
        if (state === 'ended' && RUN_WORK_STAGES.has(stage)) throw new RunInactiveError(`run ${run} is not running`);
      }
      await accepted.run(target.ctx, target.self);
      m.ack();
    } catch (err) {
      await this.failed(m, ws, stage, run, err, this.logFor(m, ws));
    }
  }

  /** A child logger per message costs more than the rest of the hot path: made only to log. */
  private logFor(m: JsMsg, ws: string): Logger {
    return this.o.log.child({ ws, seq: m.seq });
  }

  /** No process serves the item's workspace (or this one stopped leading it): leave it for one
   * that does, and on its last delivery keep it in the DLQ rather than in the stream for good. */
  private async unserved(m: JsMsg, ws: string, stage: string): Promise<void> {
    if (m.info.deliveryCount < this.o.consumer.maxDeliver) {
      m.nak(5_000);
      return;
    }
    await this.deadLetter(m, ws, stage, 'unserved', `no process serves workspace ${ws} for stage ${stage}`, null);
  }

  private async failed(m: JsMsg, ws: string, stage: string, run: string | null, err: unknown, log: Logger): Promise<void> {
    const e = err instanceof Error ? err : new Error(String(err));
    const failure = failureOf(err);
    if (err instanceof RunInactiveError) {
      log.debug({ err: e }, 'dropping work item of an ended run');
      m.ack();
      return;
    }
    const last = m.info.deliveryCount >= this.o.consumer.maxDeliver;
    const retryable = failure.retryable;
    if (retryable && !last) {
      const b = this.o.backoff ?? { baseMs: 500, maxMs: 30_000 };
      const delay = failure.retryAfterMs ?? backoffMs(m.info.deliveryCount, b.baseMs, b.maxMs);
      log.info({ err: e, delivery: m.info.deliveryCount, delayMs: delay }, 'retryable failure; redelivering later');
      m.nak(delay);
      return;
    }
    const reason: DlqReason = failure.dlqReason ?? (retryable ? 'max_deliveries' : 'permanent_error');
    log.error({ err: e, reason, delivery: m.info.deliveryCount }, 'work item to the dead-letter stream');
    await this.deadLetter(m, ws, stage, reason, `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, run);
  }

  private async deadLetter(m: JsMsg, ws: string, stage: string, reason: DlqReason, error: string, run: string | null): Promise<void> {
    try {
      const dlqSeq = await this.o.dlq.put(m, ws, stage, reason, error);
      const type = m.headers?.get(Headers.type) || null;
      if (run && RUN_FAILING.has(reason) && this.o.onDeadLetter) {
        await this.o.onDeadLetter({ ws, run, stage, type, subject: m.subject, reason, error: error.slice(0, 2000), dlqSeq });
      }
      m.ack();
      this.o.metrics?.deadLetters.inc({ ws, stage, reason });
    } catch (err) {
      // Could not store it (or tell the run): leave it unacked so it comes back rather than vanish;
      // the letter's message id makes a second copy a duplicate.
      this.o.log.error({ err: err }, 'dead-letter publish failed; message will be redelivered');
      m.nak(5_000);
    }
  }

  /** Stop fetching, let in-flight handlers finish (up to graceMs), nak whatever is still buffered. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const msgs = this.messages;
    const drained = new Promise<void>((r) => {
      if (this.active === 0) r();
      else this.drained = r;
    });
    // The grace timer is cleared once the handlers are done: left pending, it alone would keep an
    // idle process alive for the whole grace period.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((r) => (grace = setTimeout(r, graceMs)))]);
    clearTimeout(grace);
    // Heartbeats went on while handlers finished; what is still running is left to redelivery.
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (msgs) await msgs.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
  }
}
