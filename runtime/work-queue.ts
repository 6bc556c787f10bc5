// One durable pull consumer per (stage, class), consumed with bounded in-flight work. Decoding is
// one step; poison goes to the DLQ and is acked; handler errors marked retryable are nak'ed with
// exponential backoff, the rest (and anything on its last delivery) go to the DLQ. Items taken
// from the consumer are kept with progress heartbeats while they wait for a slot and while they
// run, so a slow item on a busy worker is not handed to another worker and done twice; a handler
// still running after `holdMs` gets no more, and its item goes to another worker.
import type { ConsumerMessages, JsMsg, NatsConnection } from 'nats';
import {
  type ConsumerDef,
  DecodeError,
  Headers,
  RUN_WORK_STAGES,
  type WorkClass,
  decodeMessage,
  parseWorkSubject,
} from '../protocol/index.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import type { Logger } from './logger.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { type RunGate, RunInactiveError } from './run-gate.ts';
import type { HandlerContext, QueueBinding, WorkHandler } from './types.ts';

export interface WorkQueueOptions {
  nc: NatsConnection;
  prefix: string;
  consumer: ConsumerDef;
  binding: QueueBinding;
  concurrency: number;
  dlq: DeadLetterStore;
  gate: RunGate;
  log: Logger;
  /** null when this process does not serve the workspace: the item is left for one that does. */
  context(ws: string, cls: WorkClass, m: JsMsg): HandlerContext | null;
  backoff?: { baseMs: number; maxMs: number };
  /** How long an item taken is kept by heartbeats (default ten ack waits). */
  holdMs?: number;
  metrics?: RuntimeMetrics;
}

/** NATS itself was slow or away (a request timed out, the connection is reconnecting or
 * draining, nobody answered yet): the work is fine, try it again later. */
const TRANSIENT_NATS_CODES = new Set([
  'TIMEOUT',
  '503',
  'CONNECTION_CLOSED',
  'CONNECTION_DRAINING',
  'DISCONNECT',
  'CONNECTION_REFUSED',
  'CONNECTION_TIMEOUT',
]);
export function isTransientNatsError(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown } | null;
  return e?.name === 'NatsError' && typeof e.code === 'string' && TRANSIENT_NATS_CODES.has(e.code);
}

export function backoffMs(deliveryCount: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, deliveryCount - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

export class WorkQueue {
  private messages: ConsumerMessages | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private slotFreed: (() => void) | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private readonly o: WorkQueueOptions;
  private readonly handlers: Map<string, WorkHandler>;
  /** Items taken and not yet settled, with when they were taken. */
  private readonly held = new Map<JsMsg, number>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(o: WorkQueueOptions) {
    this.o = o;
    this.handlers = new Map(o.binding.handlers.map((h) => [h.def.type, h]));
  }

  get consumer(): ConsumerDef {
    return this.o.consumer;
  }

  get stage(): string {
    return this.o.binding.stage;
  }

  /** The class this consumer reads (its filter's last token). */
  get cls(): string {
    return this.o.consumer.filterSubject.split('.').pop() ?? 'unknown';
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
      while (this.inFlight.size >= this.o.concurrency)
        await new Promise<void>((r) => {
          this.slotFreed = r;
        });
      const p = this.process(m).finally(() => {
        this.held.delete(m);
        this.inFlight.delete(p);
        const wake = this.slotFreed;
        this.slotFreed = null;
        wake?.();
      });
      this.inFlight.add(p);
    }
  }

  private async process(m: JsMsg): Promise<void> {
    const where = parseWorkSubject(this.o.prefix, m.subject);
    const ws = where?.ws ?? m.headers?.get(Headers.ws) ?? '_unknown';
    const stage = where?.stage ?? this.o.binding.stage;
    if (m.info.deliveryCount > 1) this.o.metrics?.redeliveries.inc({ stage, class: where?.cls ?? 'unknown' });
    // A child logger per message costs more than the rest of the hot path: make it only to log.
    const log = { child: () => this.o.log.child({ ws, seq: m.seq }) };
    let handler: WorkHandler | undefined;
    let body: unknown;
    try {
      const type = m.headers?.get(Headers.type) || undefined;
      handler = type ? this.handlers.get(type) : undefined;
      const decoded = decodeMessage(type, m.data, m.headers?.get(Headers.contentType) || undefined);
      if (!handler) throw new DecodeError('unknown_type', `stage ${stage} does not accept "${decoded.def.type}"`);
      body = decoded.body;
    } catch (err) {
      const e = err as DecodeError;
      log.child().warn({ reason: e.reason, err: e, subject: m.subject }, 'poison message to the dead-letter stream');
      await this.deadLetter(m, ws, stage, e.reason ?? 'undecodable', e.message);
      return;
    }
    const run = m.headers?.get(Headers.run) || null;
    try {
      if (run && RUN_WORK_STAGES.has(stage) && (await this.o.gate.isInactive(ws, run))) {
        throw new RunInactiveError(`run ${run} is not running`);
      }
      const ctx = this.o.context(ws, (where?.cls ?? 'event') as WorkClass, m);
      if (!ctx) {
        m.nak(5_000);
        return;
      }
      await handler.handle(body as never, ctx);
      m.ack();
    } catch (err) {
      await this.failed(m, ws, stage, err, log.child());
    }
  }

  private async failed(m: JsMsg, ws: string, stage: string, err: unknown, log: Logger): Promise<void> {
    const e = err as Error & { retryable?: boolean; retryAfterMs?: number };
    if (err instanceof RunInactiveError) {
      log.debug({ err: e }, 'dropping work item of an ended run');
      m.ack();
      return;
    }
    const last = m.info.deliveryCount >= this.o.consumer.maxDeliver;
    const retryable = e?.retryable === true || isTransientNatsError(err);
    if (retryable && !last) {
      const b = this.o.backoff ?? { baseMs: 500, maxMs: 30_000 };
      const delay = e.retryAfterMs ?? backoffMs(m.info.deliveryCount, b.baseMs, b.maxMs);
      log.info({ err: e, delivery: m.info.deliveryCount, delayMs: delay }, 'retryable failure; redelivering later');
      m.nak(delay);
      return;
    }
    const reason = retryable ? 'max_deliveries' : 'permanent_error';
    log.error({ err: e, reason, delivery: m.info.deliveryCount }, 'work item to the dead-letter stream');
    await this.deadLetter(m, ws, stage, reason, `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`);
  }

  private async deadLetter(
    m: JsMsg,
    ws: string,
    stage: string,
    reason: Parameters<DeadLetterStore['put']>[3],
    error: string,
  ): Promise<void> {
    try {
      await this.o.dlq.put(m, ws, stage, reason, error);
      m.ack();
      this.o.metrics?.deadLetters.inc({ ws, stage, reason });
    } catch (err) {
      // Could not store it: leave it unacked so it comes back rather than vanish.
      this.o.log.error({ err }, 'dead-letter publish failed; message will be redelivered');
      m.nak(5_000);
    }
  }

  /** Stop fetching, let in-flight handlers finish (up to graceMs), nak whatever is still buffered. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const msgs = this.messages;
    const drained = Promise.all([...this.inFlight]);
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
