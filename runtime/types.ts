// What an actor is and what it may touch. An actor is a plain object; the host gives it a narrow
// context and never the NATS connection itself.
import type {
  BodyOf,
  BucketName,
  ControlDef,
  EventDef,
  MessageDef,
  QueueTuning,
  ReplyOf,
  Stage,
  WorkClass,
  WorkDef,
} from '../protocol/index.ts';
import type { z } from 'zod';
import type { TypedKv } from './kv.ts';
import type { Logger } from './logger.ts';
import type { TokenLease } from './tokens.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { EventLog } from './event-log.ts';

export interface PublishOptions {
  /** Work class of the target queue; defaults to the class of the message being handled. */
  cls?: WorkClass;
  /** Bulk run id, sent as the ps-run header. */
  run?: string;
  /** Nats-Msg-Id: a second publish with the same id inside the duplicate window is dropped. */
  msgId?: string;
}

export interface ActorContext {
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
  /** Services the worker wires in (connectors, mailer); actors read them through `deps`. */
  readonly deps: ActorDeps;
}

export interface HandlerContext extends ActorContext {
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

/** Filled in by the worker entry point (cli): clients per workspace and such. Open to extension by
 * declaration merging so runtime/ does not import connectors/. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ActorDeps {}

export interface WorkHandler<D extends WorkDef = WorkDef> {
  def: D;
  handle(body: BodyOf<D>, ctx: HandlerContext): Promise<void>;
}

export function on<D extends WorkDef>(def: D, handle: (body: BodyOf<D>, ctx: HandlerContext) => Promise<void>): WorkHandler {
  return { def, handle } as unknown as WorkHandler;
}

export interface QueueBinding {
  stage: Stage;
  classes: readonly WorkClass[];
  handlers: WorkHandler[];
  /** Messages handled at once by this process (bounded in-flight: backpressure). */
  concurrency?: number;
  tuning?: Partial<QueueTuning>;
}

export interface EndpointBinding<C extends ControlDef = ControlDef> {
  def: C;
  handle(body: z.infer<C['request']>, ctx: ActorContext): Promise<z.input<C['reply']>>;
}

export function endpoint<C extends ControlDef>(def: C, handle: EndpointBinding<C>['handle']): EndpointBinding {
  return { def, handle } as unknown as EndpointBinding;
}

export interface EventBinding<D extends EventDef = EventDef> {
  def: D;
  handle(body: BodyOf<D>, ctx: ActorContext): Promise<void> | void;
}

export function onEvent<D extends EventDef>(def: D, handle: (body: BodyOf<D>, ctx: ActorContext) => Promise<void> | void): EventBinding {
  return { def, handle } as unknown as EventBinding;
}

export interface ActorDef {
  name: string;
  /** One leader per workspace (lease); its queues, endpoints and events run only there. */
  singleton?: boolean;
  /** A singleton whose state writes are compare-and-set on what it loaded, so a deposed leader
   * cannot act on stale state: a new leader acts as soon as it holds the lease, without waiting
   * one TTL for the old one to notice (quota). */
  fenced?: boolean;
  queues?: QueueBinding[];
  endpoints?: EndpointBinding[];
  events?: EventBinding[];
  /** Called per workspace when the actor starts acting (for a singleton: on becoming leader). */
  start?(ctx: ActorContext): Promise<void> | void;
  /** Called when it stops acting; `ctx.signal` is already aborted. */
  stop?(ctx: ActorContext): Promise<void> | void;
}
