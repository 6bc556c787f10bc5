// What an actor is: a name, an `init` that builds the instance of one activation (per workspace;
// for a singleton, per leadership), the queues, endpoints and events it serves, and a `dispose`.
// The host calls `init` first and binds the bindings only once the instance is ready, hands every
// handler that instance, and disposes it when the activation ends (stop, or the lease lost). State
// lives in the instance, never in module-level registries.
//
// Services come through `deps`, typed per actor: an actor names the services it needs (`needs`),
// its `init` and handlers see exactly those on `ctx.deps`, and the host refuses to start an actor
// whose services the worker does not provide. A handler reading a service its actor did not
// declare does not type-check. Configuration values are on `ctx.config`, apart from services.
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

/**
 * The services an actor needs: their names, which the host checks the worker provides, and (as a
 * type only) what they are, which `ctx.deps` is. Made by the catalogue of services the actors
 * share (actors/services.ts), as runtime/ knows no connector.
 */
export interface Needs<D> {
  readonly names: readonly string[];
  /** Type only: never set. */
  readonly deps?: (deps: D) => void;
}

/** `D` in a binding: the services its handler reads (type only, checked against its actor's
 * `needs`; `never` where the host holds bindings of any actor). */
interface Reads<D> {
  /** Type only: never set. */
  readonly reads?: (deps: D) => void;
}

export interface WorkHandler<S = unknown, D = never> extends Reads<D> {
  readonly def: WorkDef;
  /** Validate a decoded body against the handler's schema; throws DecodeError (poison). */
  accept(body: unknown): Accepted<HandlerContext<D>, S>;
}

export interface EndpointBinding<S = unknown, D = never> extends Reads<D> {
  readonly def: ControlDef;
  /** Validate a decoded request against the endpoint's schema; throws DecodeError. */
  accept(body: unknown): Accepted<ActorContext<D>, S, unknown>;
}

export interface EventBinding<S = unknown, D = never> extends Reads<D> {
  readonly def: EventDef;
  accept(body: unknown): Accepted<ActorContext<D>, S>;
}

/** A body validated by its handler's definition, kept with the handler until its context is
 * ready. One is made for every message received: a class, not a pair of new closures. */
class Validated<B, C, S, R> implements Accepted<C, S, R> {
  constructor(
    private readonly handle: (body: B, ctx: C, self: S) => Promise<R> | R,
    private readonly body: B,
  ) {}

  /** Not an async function: the handler's own promise is handed on as it is, without the extra
   * turns of the microtask queue an async wrapper returning a promise takes. */
  run(ctx: C, self: S): Promise<R> {
    try {
      return Promise.resolve(this.handle(this.body, ctx, self));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
}

export function on<Z extends z.ZodType, S = unknown, D = unknown>(
  def: WorkDef<Z>,
  handle: (body: z.infer<Z>, ctx: HandlerContext<D>, self: S) => Promise<void>,
): WorkHandler<S, D> {
  return { def, accept: (raw) => new Validated(handle, validateBody(def, raw)) };
}

export function endpoint<Q extends z.ZodType, R extends z.ZodType, S = unknown, D = unknown>(
  def: ControlDef<Q, R>,
  handle: (body: z.infer<Q>, ctx: ActorContext<D>, self: S) => Promise<z.input<R>>,
): EndpointBinding<S, D> {
  return {
    def,
    accept: (raw) =>
      new Validated<z.infer<Q>, ActorContext<D>, S, unknown>(handle, validateBody({ type: def.verb, schema: def.request }, raw)),
  };
}

export function onEvent<Z extends z.ZodType, S = unknown, D = unknown>(
  def: EventDef<Z>,
  handle: (body: z.infer<Z>, ctx: ActorContext<D>, self: S) => Promise<void> | void,
): EventBinding<S, D> {
  return { def, accept: (raw) => new Validated(handle, validateBody(def, raw)) };
}

export interface QueueBinding<S = unknown, D = never> {
  stage: Stage;
  classes: readonly WorkClass[];
  handlers: readonly WorkHandler<S, D>[];
  /** Messages handled at once by this process (bounded in-flight: backpressure). */
  concurrency?: number;
  tuning?: Partial<QueueTuning>;
}

/** What the activations of one actor in one host share (the gateway's HTTP server): opened by
 * the host before the first activation's `init`, closed after the last one's `dispose`. */
export interface SharedPart<P, D = never> {
  open(ctx: ActorContext<D>): P | Promise<P>;
  close(shared: P): void | Promise<void>;
}

/** How an actor lives: its name, the services it needs, whether one leader per workspace runs it,
 * and its instance. */
export interface ActorLife<S, P = undefined, D = unknown> {
  readonly name: string;
  /** The services `ctx.deps` holds, and all it holds (`D` is inferred from here alone); none
   * when absent. */
  readonly needs?: Needs<D>;
  /** One leader per workspace (lease); its queues, endpoints and events run only there. */
  readonly singleton?: boolean;
  /** A singleton whose state writes are compare-and-set on what it loaded, so a deposed leader
   * cannot act on stale state: a new leader acts as soon as it holds the lease, without waiting
   * one TTL for the old one to notice (quota). */
  readonly fenced?: boolean;
  readonly shared?: SharedPart<P, NoInfer<D>>;
  /** Builds the instance of one activation; nothing is bound until it resolves. */
  init?(ctx: ActorContext<NoInfer<D>>, shared: P): S | Promise<S>;
  /** Ends an activation (stop, or a lease lost; `ctx.signal` is already aborted). */
  dispose?(self: S, ctx: ActorContext<NoInfer<D>>): void | Promise<void>;
}

/** What an actor serves; every handler is handed the activation's instance. */
export interface ActorBindings<S, D = never> {
  readonly queues?: readonly QueueBinding<S, D>[];
  readonly endpoints?: readonly EndpointBinding<S, D>[];
  readonly events?: readonly EventBinding<S, D>[];
}

/** An actor; `ActorDef` alone is any actor, as the host holds them. */
export interface ActorDef<S = unknown, P = unknown, D = never> extends ActorLife<S, P, D>, ActorBindings<S, D> {}

/** `init` and `dispose` checked strictly (as properties, not methods): one that reads a service
 * the actor did not declare does not type-check. */
interface StrictLife<S, P, D> {
  readonly init?: (ctx: ActorContext<D>, shared: P) => S | Promise<S>;
  readonly dispose?: (self: S, ctx: ActorContext<D>) => void | Promise<void>;
}

/**
 * `defineActor({ name, needs, init, dispose }).serve({ queues, endpoints, events })`: the instance
 * type comes from `init` and the services from `needs`, so every handler's `self` and `ctx.deps`
 * are typed without naming them (two steps, because TypeScript infers them from the first step
 * only before it types the handlers).
 */
export function defineActor<S = undefined, P = undefined, D = unknown>(
  life: ActorLife<S, P, D> & StrictLife<S, P, NoInfer<D>>,
): { serve(bindings: ActorBindings<S, D>): ActorDef<S, P, D> } {
  return { serve: (bindings) => ({ ...life, ...bindings }) };
}

/** The services the worker provides, by name (what each is, the actors' catalogue says). */
export type ProvidedServices = Readonly<Record<string, unknown>>;

/** Refuses actors whose declared services are not all provided, naming each actor and service. */
export function checkServices(actors: readonly Pick<ActorDef, 'name' | 'needs'>[], services: ProvidedServices): void {
  const problems = actors.flatMap((a) => {
    const missing = (a.needs?.names ?? []).filter((n) => !Object.hasOwn(services, n));
    return missing.length ? [`actor ${a.name} needs ${missing.join(', ')}, which this worker does not provide`] : [];
  });
  if (problems.length) throw new Error(`missing services: ${problems.join('; ')}`);
}

/** What `ctx.deps` of an activation of `a` holds: the services it declared, no others. */
export function servicesOf(a: Pick<ActorDef, 'needs'>, services: ProvidedServices): ProvidedServices {
  return Object.fromEntries((a.needs?.names ?? []).map((n) => [n, services[n]]));
}
