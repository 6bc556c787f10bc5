// The actor host: provisions what the actors need, binds their work queues, endpoints and event
// subscriptions, runs singletons under per-workspace leases, and shuts everything down in order.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KV, NatsConnection, Subscription } from 'nats';
import {
  type BucketName,
  DEFAULT_DECODE_LIMITS,
  DEFAULT_QUEUE_TUNING,
  type DecodeLimits,
  type Encoding,
  Headers,
  Keys,
  type QueueTuning,
  STAGES,
  type Topology,
  WorkDeadLettered,
  decodeBody,
  eventFilter,
  subject,
  topology,
  workConsumer,
} from '../protocol/index.ts';
import { type ActorConfig, DEFAULTS, actorConfig, parseConfig } from './config.ts';
import { ControlPlane } from './control.ts';
import { DeadLetterStore } from './dead-letters.ts';
import { EventLogReader } from './event-log.ts';
import { type TypedKv, typedKv } from './kv.ts';
import { Lease } from './lease.ts';
import { Liveness } from './liveness.ts';
import type { Logger } from './logger.ts';
import { Messenger } from './messenger.ts';
import { type QueueDepth, RuntimeMetrics } from './metrics.ts';
import { ensureConsumer, provision } from './provision.ts';
import { RunGate } from './run-gate.ts';
import { requireNatsServer } from './server-version.ts';
import { packageVersion } from './package-root.ts';
import { TokenBroker } from './tokens.ts';
import { ItemContext, type ItemServices } from './item-context.ts';
import { type ActorDef, type ProvidedServices, checkServices, servicesOf } from './actor.ts';
import type { ActorContext } from './types.ts';
import { type RunDeadLetter, WorkQueue } from './work-queue.ts';

export interface HostOptions {
  nc: NatsConnection;
  log: Logger;
  workspaces: string[];
  prefix?: string;
  encoding?: Encoding;
  replicas?: number;
  leaseTtlMs?: number;
  tuning?: Partial<QueueTuning>;
  concurrency?: number;
  /** The services the worker provides; each actor's `ctx.deps` holds those it declared. */
  services?: ProvidedServices;
  /** What actors read of the configuration (`ctx.config`); the defaults when absent. */
  config?: ActorConfig;
  backoff?: { baseMs: number; maxMs: number };
  /** How long a work item taken is kept by heartbeats (default ten ack waits; see WorkQueue). */
  holdMs?: number;
  /** What a message may be before it is decoded (size) and while (depth, lengths). */
  limits?: Partial<DecodeLimits>;
  /** What the control service reports as its version: package.json's unless given. */
  version?: string;
  /** The process's metrics; one of its own when absent. */
  metrics?: RuntimeMetrics;
}

/** One activation of an actor: its instance and what is bound to it. */
interface Running {
  queues: WorkQueue[];
  subs: Subscription[];
  abort: AbortController;
  ctx: ActorContext<never>;
  self: unknown;
}

/** Room a dead letter needs beside the body it keeps: its headers (runtime/dead-letters.ts). */
const LETTER_HEADROOM_BYTES = 64 * 1024;

export class ActorHost {
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly topology: Topology;
  readonly messenger: Messenger;
  readonly tokens: TokenBroker;
  private readonly o: Required<Omit<HostOptions, 'tuning' | 'services' | 'config' | 'backoff' | 'holdMs' | 'limits' | 'metrics'>> &
    Pick<HostOptions, 'backoff' | 'holdMs'>;
  readonly metrics: RuntimeMetrics;
  private readonly tuning: QueueTuning;
  private readonly limits: DecodeLimits;
  private readonly liveness: Liveness;
  private readonly dlq: DeadLetterStore;
  private readonly eventLog: EventLogReader;
  private readonly control: ControlPlane;
  private readonly kvs = new Map<BucketName, Promise<TypedKv>>();
  private readonly leases: Lease[] = [];
  private readonly running = new Map<string, Running>();
  /** Activations whose instance is being built, by `<actor>/<ws>`. */
  private readonly starting = new Map<string, AbortController>();
  private readonly actors = new Map<string, ActorDef>();
  private readonly services: ProvidedServices;
  private readonly config: ActorConfig;
  private gate: RunGate | null = null;
  /** What every work item's context borrows from the host (once the run gate is open). */
  private items: ItemServices | null = null;
  private readonly sharedQueues: WorkQueue[] = [];
  /** Each actor's shared part in this host, with how many activations use it. */
  private readonly sharedParts = new Map<string, { part: Promise<unknown>; users: number }>();

  constructor(opts: HostOptions) {
    this.o = {
      prefix: DEFAULTS.prefix,
      encoding: DEFAULTS.encoding,
      replicas: 1,
      leaseTtlMs: DEFAULTS.leaseTtlMs,
      concurrency: DEFAULTS.concurrency,
      version: packageVersion(),
      ...opts,
    };
    this.tuning = { ...DEFAULT_QUEUE_TUNING, ...opts.tuning };
    this.limits = { ...DEFAULT_DECODE_LIMITS, ...opts.limits };
    this.services = opts.services ?? {};
    this.config = opts.config ?? actorConfig(parseConfig({}));
    this.topology = topology({ prefix: this.o.prefix, workspaces: this.o.workspaces, maxMessageBytes: this.limits.maxBytes });
    this.messenger = new Messenger(opts.nc, this.o.prefix, this.o.encoding);
    this.metrics = opts.metrics ?? new RuntimeMetrics();
    this.messenger.onPublished = (type, ws, body) => this.metrics.published(type, ws, body);
    this.metrics.queueDepths(() => this.queueDepths());
    this.tokens = new TokenBroker(this.messenger, opts.log.child({ part: 'tokens' }), this.holder);
    this.dlq = new DeadLetterStore(opts.nc, this.o.prefix, this.topology.streams.dlq.name, this.limits.maxBytes);
    this.eventLog = new EventLogReader(opts.nc, this.o.prefix, this.topology.streams.events.name);
    this.liveness = new Liveness(opts.nc, this.o.prefix);
    this.control = new ControlPlane(opts.nc, this.o.prefix, this.o.encoding, this.limits, opts.log.child({ part: 'control' }), {
      context: (actor, ws) => {
        const r = this.o.workspaces.includes(ws) ? this.running.get(`${actor}/${ws}`) : undefined;
        return r ? { ctx: r.ctx, self: r.self } : null;
      },
      isLeader: (actor, ws) => this.running.has(`${actor}/${ws}`) && !!this.actors.get(actor)?.singleton,
      singleton: (actor) => !!this.actors.get(actor)?.singleton,
      serves: (ws) => this.o.workspaces.includes(ws),
    });
  }

  /** A provisioned bucket, read by direct get when the bucket allows it (nats.js binds without
   * looking, and then reads through the stream API: a JSON answer with the value in base64, which
   * cost nats-server about 40 % more CPU and the worker 5 % more in the bulk benchmark). */
  private async bind(name: string): Promise<KV> {
    const info = await (await this.o.nc.jetstreamManager()).streams.info(`KV_${name}`);
    return this.o.nc.jetstream().views.kv(name, { bindOnly: true, allow_direct: info.config.allow_direct === true });
  }

  kv(bucket: BucketName): Promise<TypedKv> {
    let p = this.kvs.get(bucket);
    if (!p) {
      const name = this.topology.buckets[bucket].name;
      p = this.bind(name).then((kv) => typedKv(kv, name, this.o.nc));
      this.kvs.set(bucket, p);
      // A bucket that is not there (yet, or any more) is looked up again by the next caller.
      p.catch(() => this.kvs.delete(bucket));
    }
    return p;
  }

  async start(actors: ActorDef[]): Promise<void> {
    checkServices(actors, this.services);
    requireNatsServer(this.o.nc);
    // A dead letter keeps a body up to the limit whole, with headers: it must fit max_payload.
    const maxPayload = this.o.nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
    if (this.limits.maxBytes + LETTER_HEADROOM_BYTES > maxPayload) {
      throw new Error(
        `limits.maxMessageBytes (${this.limits.maxBytes}) must be at least ${LETTER_HEADROOM_BYTES} bytes below the server's max_payload (${maxPayload})`,
      );
    }
    await provision(this.o.nc, this.topology, this.o.replicas);
    this.gate = new RunGate(await this.kv('runs'));
    await this.gate.start();
    for (const a of actors) {
      for (const q of a.queues ?? []) {
        if (STAGES[q.stage] === 'leader' && !a.singleton) throw new Error(`actor ${a.name}: stage ${q.stage} needs a singleton actor`);
      }
      this.actors.set(a.name, a);
    }
    await this.control.start(actors, this.o.version);
    // Only a process that may hold a lease has a liveness subject (a gateway may not subscribe there).
    if (actors.some((a) => a.singleton)) this.liveness.start();
    const leases = await this.kv('leases');
    for (const a of actors) {
      for (const ws of this.o.workspaces) {
        if (!a.singleton) {
          await this.activate(a, ws);
          continue;
        }
        const lease = new Lease(
          {
            kv: leases,
            key: Keys.lease(a.name, ws),
            holder: this.holder,
            ttlMs: this.o.leaseTtlMs,
            log: this.o.log,
            actAtOnce: a.fenced === true,
            alive: this.liveness,
          },
          { onAcquired: () => this.activate(a, ws), onLost: () => this.deactivate(a, ws, 1_000) },
        );
        this.leases.push(lease);
        lease.start();
      }
    }
    // Shared queues are bound once per process, not per workspace.
    for (const a of actors) if (!a.singleton) this.sharedQueues.push(...(await this.bindQueues(a, null)));
  }

  get deadLetters(): DeadLetterStore {
    return this.dlq;
  }

  /** Is this process currently leading `actor` for `ws`? */
  isLeading(actor: string, ws: string): boolean {
    return !!this.actors.get(actor)?.singleton && this.running.has(`${actor}/${ws}`);
  }

  /** `deps`: the services `a` declared, which `start` checked are provided. */
  private makeContext(a: ActorDef, ws: string, signal: AbortSignal): ActorContext<never> {
    const actor = a.name;
    const log = this.o.log.child({ actor, ws });
    return {
      actor,
      ws,
      log,
      signal,
      deps: servicesOf(a, this.services) as never,
      config: this.config,
      deadLetters: this.dlq,
      events: this.eventLog,
      publish: (def, body, opts) => this.messenger.publish(def, ws, body, { cls: 'event', ...opts }),
      request: (def, body, opts) => this.messenger.request(def, opts?.ws ?? ws, body, opts?.timeoutMs),
      kv: (bucket) => this.kv(bucket),
      withTokens: (cls, n, fn) => this.tokens.withTokens(ws, cls, n, fn),
    };
  }

  private itemServices(): ItemServices {
    return (this.items ??= { messenger: this.messenger, tokens: this.tokens, gate: this.gate as RunGate });
  }

  private async bindQueues(a: ActorDef, ws: string | null): Promise<WorkQueue[]> {
    const jsm = await this.o.nc.jetstreamManager();
    const out: WorkQueue[] = [];
    for (const q of a.queues ?? []) {
      for (const cls of q.classes) {
        const def = workConsumer(this.topology, q.stage, cls, ws, { ...this.tuning, ...q.tuning });
        await ensureConsumer(jsm, def, this.o.replicas);
        const wq = new WorkQueue({
          nc: this.o.nc,
          prefix: this.o.prefix,
          consumer: def,
          binding: q,
          concurrency: q.concurrency ?? this.o.concurrency,
          dlq: this.dlq,
          gate: this.gate as RunGate,
          log: this.o.log.child({ actor: a.name, queue: def.durable }),
          backoff: this.o.backoff,
          holdMs: this.o.holdMs,
          metrics: this.metrics,
          limits: this.limits,
          onDeadLetter: (l) => this.tellRun(l),
          context: (msgWs, c, m, run) => {
            if (!this.o.workspaces.includes(msgWs) || (ws && msgWs !== ws)) return null;
            const r = this.running.get(`${a.name}/${msgWs}`);
            return r ? { ctx: new ItemContext(r.ctx, this.itemServices(), c, m, run), self: r.self } : null;
          },
        });
        await wq.start();
        out.push(wq);
      }
    }
    return out;
  }

  /** A run's item was dead-lettered: its coordinator hears of it (and fails the run). */
  private async tellRun(l: RunDeadLetter): Promise<void> {
    if (l.type === WorkDeadLettered.type) return; // never about itself
    await this.messenger.publish(
      WorkDeadLettered,
      l.ws,
      { run: l.run, stage: l.stage, type: l.type, subject: l.subject.slice(0, 300), reason: l.reason, error: l.error, dlqSeq: l.dlqSeq },
      { cls: 'bulk', run: l.run, msgId: `dlqrun:${l.dlqSeq}` },
    );
  }

  /** An activation: the instance first, then its events, endpoints (a singleton's leader subject)
   * and leader queues, so nothing reaches an actor before its instance is ready. */
  private async activate(a: ActorDef, ws: string): Promise<void> {
    const key = `${a.name}/${ws}`;
    const abort = new AbortController();
    const ctx = this.makeContext(a, ws, abort.signal);
    // A lease lost (or a stop) while the instance is being built aborts it: it is disposed unbound.
    this.starting.set(key, abort);
    let self: unknown;
    try {
      self = await a.init?.(ctx, await this.openShared(a, ctx));
    } catch (err) {
      this.starting.delete(key);
      await this.closeShared(a);
      ctx.log.error({ err }, 'actor could not start');
      throw err;
    }
    this.starting.delete(key);
    if (abort.signal.aborted) {
      await a.dispose?.(self, ctx);
      await this.closeShared(a);
      return;
    }
    const r: Running = { queues: [], subs: [], abort, ctx, self };
    this.running.set(`${a.name}/${ws}`, r);
    for (const e of a.events ?? []) {
      r.subs.push(
        this.o.nc.subscribe(subject(this.o.prefix, { kind: 'evt', ws, topic: eventFilter(e.def) }), {
          callback: (err, msg) => {
            if (err || msg.headers?.get(Headers.type) !== e.def.type) return;
            try {
              const heard = e.accept(decodeBody(msg.data, msg.headers?.get(Headers.contentType) || undefined, this.limits));
              void heard.run(ctx, self).catch((er) => ctx.log.error({ err: er }, 'event handler failed'));
            } catch (er) {
              ctx.log.warn({ err: er }, 'undecodable event ignored');
            }
          },
        }),
      );
    }
    if (a.singleton) {
      this.control.lead(a.name, ws);
      r.queues = await this.bindQueues(a, ws);
    }
  }

  /** Ends an activation: nothing more reaches the instance, in-flight work ends, then it is disposed. */
  private async deactivate(a: ActorDef, ws: string, graceMs: number): Promise<void> {
    const key = `${a.name}/${ws}`;
    this.starting.get(key)?.abort();
    const r = this.running.get(key);
    if (!r) return;
    this.running.delete(key);
    r.abort.abort();
    if (a.singleton) this.control.unlead(a.name, ws);
    for (const s of r.subs) s.unsubscribe();
    await Promise.all(r.queues.map((q) => q.stop(graceMs)));
    await a.dispose?.(r.self, r.ctx);
    await this.closeShared(a);
  }

  private openShared(a: ActorDef, ctx: ActorContext<never>): Promise<unknown> {
    if (!a.shared) return Promise.resolve(undefined);
    let s = this.sharedParts.get(a.name);
    if (!s) {
      s = { part: Promise.resolve(a.shared.open(ctx)), users: 0 };
      this.sharedParts.set(a.name, s);
      s.part.catch(() => this.sharedParts.delete(a.name));
    }
    s.users++;
    return s.part;
  }

  private async closeShared(a: ActorDef): Promise<void> {
    const s = this.sharedParts.get(a.name);
    if (!a.shared || !s || --s.users > 0) return;
    this.sharedParts.delete(a.name);
    await a.shared.close(await s.part);
  }

  /** The instance of an actor's activation for a workspace in this host, if it is active. */
  instance(actor: string, ws: string): unknown {
    return this.running.get(`${actor}/${ws}`)?.self;
  }

  /** Every consumer this process reads, with its depth as the server reports it. */
  private async queueDepths(): Promise<QueueDepth[]> {
    const queues = [...this.sharedQueues, ...[...this.running.values()].flatMap((r) => r.queues)];
    const jsm = await this.o.nc.jetstreamManager();
    return Promise.all(
      queues.map(async (q) => {
        const info = await jsm.consumers.info(q.consumer.stream, q.consumer.durable);
        return { stage: q.stage, cls: q.cls, pending: info.num_pending, ackPending: info.num_ack_pending };
      }),
    );
  }

  /** Graceful: stop fetching, finish in-flight work (or leave it to be redelivered), drain. */
  async stop(graceMs = 10_000): Promise<void> {
    await Promise.all(this.sharedQueues.map((q) => q.stop(graceMs)));
    for (const starting of this.starting.values()) starting.abort();
    for (const [key, r] of [...this.running]) {
      const a = this.actors.get(key.split('/')[0]);
      if (a) await this.deactivate(a, r.ctx.ws, graceMs);
    }
    await Promise.all(this.leases.map((l) => l.stop()));
    this.liveness.stop();
    await this.control.stop();
    this.gate?.stop();
    await this.tokens.close();
  }
}
