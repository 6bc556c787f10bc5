// What an actor is: a name, an `init` that builds the instance of one activation (per workspace;
// for a singleton, per leadership), the queues, endpoints and events it serves, and a `dispose`.
// The host calls `init` first and binds the bindings only once the instance is ready, hands every
// handler that instance, and disposes it when the activation ends (stop, or the lease lost). State
// lives in the instance, never in module-level registries.
//
// Handlers keep their types: `on(def, fn)` closes over the definition, so the body is validated
// against `def`'s own schema and reaches `fn` typed, with no cast on the way.
import type { z } from 'zod';
import {
  type ControlDef,
  type EventDef,
  type QueueTuning,
  type Stage,
  type WorkClass,
  type WorkDef,
  validateBody,
} from '../protocol/index.ts';
import type { ActorContext, HandlerContext } from './types.ts';

/** A message body accepted by a handler: validated, waiting for its context and instance. */
export interface Accepted<C, S, R = void> {
  run(ctx: C, self: S): Promise<R>;
}

export interface WorkHandler<S = unknown> {
  readonly def: WorkDef;
  /** Validate a decoded body against the handler's schema; throws DecodeError (poison). */
  accept(body: unknown): Accepted<HandlerContext, S>;
}

export interface EndpointBinding<S = unknown> {
  readonly def: ControlDef;
  /** Validate a decoded request against the endpoint's schema; throws DecodeError. */
  accept(body: unknown): Accepted<ActorContext, S, unknown>;
}

export interface EventBinding<S = unknown> {
  readonly def: EventDef;
  accept(body: unknown): Accepted<ActorContext, S>;
}

export function on<Z extends z.ZodType, S = unknown>(
  def: WorkDef<Z>,
  handle: (body: z.infer<Z>, ctx: HandlerContext, self: S) => Promise<void>,
): WorkHandler<S> {
  return {
    def,
    accept: (raw) => {
      const body = validateBody(def, raw);
      return { run: (ctx, self) => handle(body, ctx, self) };
    },
  };
}

export function endpoint<Q extends z.ZodType, R extends z.ZodType, S = unknown>(
  def: ControlDef<Q, R>,
  handle: (body: z.infer<Q>, ctx: ActorContext, self: S) => Promise<z.input<R>>,
): EndpointBinding<S> {
  return {
    def,
    accept: (raw) => {
      const body = validateBody({ type: def.verb, schema: def.request }, raw);
      return { run: (ctx, self) => handle(body, ctx, self) };
    },
  };
}

export function onEvent<Z extends z.ZodType, S = unknown>(
  def: EventDef<Z>,
  handle: (body: z.infer<Z>, ctx: ActorContext, self: S) => Promise<void> | void,
): EventBinding<S> {
  return {
    def,
    accept: (raw) => {
      const body = validateBody(def, raw);
      return { run: async (ctx, self) => handle(body, ctx, self) };
    },
  };
}

export interface QueueBinding<S = unknown> {
  stage: Stage;
  classes: readonly WorkClass[];
  handlers: readonly WorkHandler<S>[];
  /** Messages handled at once by this process (bounded in-flight: backpressure). */
  concurrency?: number;
  tuning?: Partial<QueueTuning>;
}

/** What the activations of one actor in one host share (the gateway's HTTP server): opened by
 * the host before the first activation's `init`, closed after the last one's `dispose`. */
export interface SharedPart<P> {
  open(ctx: ActorContext): P | Promise<P>;
  close(shared: P): void | Promise<void>;
}

/** How an actor lives: its name, whether one leader per workspace runs it, and its instance. */
export interface ActorLife<S, P = undefined> {
  readonly name: string;
  /** One leader per workspace (lease); its queues, endpoints and events run only there. */
  readonly singleton?: boolean;
  /** A singleton whose state writes are compare-and-set on what it loaded, so a deposed leader
   * cannot act on stale state: a new leader acts as soon as it holds the lease, without waiting
   * one TTL for the old one to notice (quota). */
  readonly fenced?: boolean;
  readonly shared?: SharedPart<P>;
  /** Builds the instance of one activation; nothing is bound until it resolves. */
  init?(ctx: ActorContext, shared: P): S | Promise<S>;
  /** Ends an activation (stop, or a lease lost; `ctx.signal` is already aborted). */
  dispose?(self: S, ctx: ActorContext): void | Promise<void>;
}

/** What an actor serves; every handler is handed the activation's instance. */
export interface ActorBindings<S> {
  readonly queues?: readonly QueueBinding<S>[];
  readonly endpoints?: readonly EndpointBinding<S>[];
  readonly events?: readonly EventBinding<S>[];
}

export interface ActorDef<S = unknown, P = unknown> extends ActorLife<S, P>, ActorBindings<S> {}

/**
 * `defineActor({ name, init, dispose }).serve({ queues, endpoints, events })`: the instance type
 * comes from `init`, so every handler's `self` is typed without naming it (two steps, because
 * TypeScript infers it from `init` only before it types the handlers).
 */
export function defineActor<S = undefined, P = undefined>(life: ActorLife<S, P>): { serve(bindings: ActorBindings<S>): ActorDef<S, P> } {
  return { serve: (bindings) => ({ ...life, ...bindings }) };
}
