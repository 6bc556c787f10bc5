// What an actor may touch: the host gives it a narrow context and never the NATS connection itself.
// What an actor is (its instance, bindings and lifecycle) is in actor.ts.
import type { BucketName, ControlDef, MessageDef, ReplyOf, WorkClass } from '../protocol/index.ts';
import type { z } from 'zod';
import type { TypedKv } from './kv.ts';
import type { Logger } from './logger.ts';
import type { TokenLease } from './tokens.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { EventLog } from './event-log.ts';
import type { PublishOptions } from './messenger.ts';
import type { ActorConfig } from './config.ts';

/** `D`: the services the actor declared (`needs` in defineActor); nothing when it declared none. */
export interface ActorContext<D = unknown> {
  readonly actor: string;
  readonly ws: string;
  readonly log: Logger;
  /** Aborted when the actor must stop (shutdown, or a singleton losing its lease). */
  readonly signal: AbortSignal;
  publish<D extends MessageDef>(def: D, body: z.input<D['schema']>, opts?: PublishOptions): Promise<void>;
  request<C extends ControlDef>(def: C, body: z.input<C['request']>, opts?: { timeoutMs?: number; ws?: string }): Promise<ReplyOf<C>>;
  kv(bucket: BucketName): Promise<TypedKv>;
  /** Lease Salesforce API tokens from the quota actor for `fn`; calls made inside are charged to it. */
  withTokens<T>(cls: WorkClass, n: number, fn: (lease: TokenLease) => Promise<T>): Promise<T>;
  readonly deadLetters: DeadLetters;
  /** Events read back from the events stream by subject (a person's audit events). */
  readonly events: EventLog;
  /** The services the actor declared, as the worker provides them (the host checked at start). */
  readonly deps: D;
  /** What the worker's configuration tells actors: values, apart from the services. */
  readonly config: ActorConfig;
}

export interface HandlerContext<D = unknown> extends ActorContext<D> {
  readonly cls: WorkClass;
  readonly run: string | null;
  readonly subject: string;
  readonly deliveryCount: number;
  /** Extend the ack deadline of a long handler. */
  working(): void;
  /** Whether the item's bulk run is still running or paused, read now (true for items of no run):
   * asked right before a write starts, so no write of a stopped run starts after the stop. */
  runActive(): Promise<boolean>;
}
