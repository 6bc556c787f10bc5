// The context a work item's handler runs in: its activation's context, and what the item adds (its
// class, run, subject, deliveries, heartbeat). One is made for every item received, so it is a
// class: the activation's fields are copied into one fixed shape and the methods live on the
// prototype, rather than an object spread and a set of new closures for every message.
import { setTimeout as delay } from 'node:timers/promises';
import type { JsMsg } from 'nats';
import { ControlError, type BucketName, type ControlDef, type MessageDef, type WorkClass } from '../protocol/index.ts';
import type { z } from 'zod';
import type { ActorConfig } from './config.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { EventLog } from './event-log.ts';
import type { TypedKv } from './kv.ts';
import type { Logger } from './logger.ts';
import type { Messenger, PublishOptions } from './messenger.ts';
import { type RunGate, RunInactiveError } from './run-gate.ts';
import { QuotaRefusedError, type TokenBroker, type TokenLease } from './tokens.ts';
import type { ActorContext, HandlerContext } from './types.ts';

/** What the host lends every item's context. */
export interface ItemServices {
  messenger: Messenger;
  tokens: TokenBroker;
  gate: RunGate;
}

export class ItemContext<D = unknown> implements HandlerContext<D> {
  readonly actor: string;
  readonly ws: string;
  readonly signal: AbortSignal;
  readonly deps: D;
  readonly config: ActorConfig;
  readonly deadLetters: DeadLetters;
  readonly events: EventLog;
  readonly cls: WorkClass;
  readonly run: string | null;
  readonly subject: string;
  readonly deliveryCount: number;
  private readonly base: ActorContext<D>;
  private readonly services: ItemServices;
  private readonly m: JsMsg;
  private runLog: Logger | null = null;

  constructor(base: ActorContext<D>, services: ItemServices, cls: WorkClass, m: JsMsg, run: string | null) {
    this.actor = base.actor;
    this.ws = base.ws;
    this.signal = base.signal;
    this.deps = base.deps;
    this.config = base.config;
    this.deadLetters = base.deadLetters;
    this.events = base.events;
    this.cls = cls;
    this.run = run;
    this.subject = m.subject;
    this.deliveryCount = m.info.deliveryCount;
    this.base = base;
    this.services = services;
    this.m = m;
  }

  /** The activation's logger; a run's item logs with its run (made when first used). */
  get log(): Logger {
    if (!this.run) return this.base.log;
    return (this.runLog ??= this.base.log.child({ run: this.run }));
  }

  /** Published in the item's class and run unless told otherwise. */
  publish<M extends MessageDef>(def: M, body: z.input<M['schema']>, opts?: PublishOptions): Promise<void> {
    return this.services.messenger.publish(def, this.ws, body, { cls: this.cls, run: this.run ?? undefined, ...opts });
  }

  request<C extends ControlDef>(def: C, body: z.input<C['request']>, opts?: { timeoutMs?: number; ws?: string }) {
    return this.base.request(def, body, opts);
  }

  kv(bucket: BucketName): Promise<TypedKv> {
    return this.base.kv(bucket);
  }

  working(): void {
    this.m.working();
  }

  runActive(): Promise<boolean> {
    return this.run ? this.services.gate.activeNow(this.ws, this.run) : Promise.resolve(true);
  }

  /** A refusal, or no quota leader answering during a handover, is waited out in place (the item
   * heartbeating) instead of burning its deliveries; a run that ends meanwhile ends the wait. */
  async withTokens<T>(cls: WorkClass, n: number, fn: (lease: TokenLease) => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await this.services.tokens.withTokens(this.ws, cls, n, fn);
      } catch (err) {
        const waitable = err instanceof QuotaRefusedError || (err instanceof ControlError && err.status >= 500);
        if (!waitable || this.signal.aborted) throw err;
        if (this.run && (await this.services.gate.isInactive(this.ws, this.run)))
          throw new RunInactiveError(`run ${this.run} ended while waiting for tokens`);
        this.m.working();
        const after = err instanceof QuotaRefusedError ? err.retryAfterMs : 500;
        // A stop ends the wait at once; a refusal after it is thrown.
        await delay(Math.min(Math.max(after, 200), 5_000), undefined, { signal: this.signal }).catch(() => undefined);
      }
    }
  }
}
