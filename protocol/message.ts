// A message type is a type id plus a zod schema. Work types name the stage whose queue they go
// to; event types name their topic. The registry lets one decode step turn any bytes into a
// typed, validated object or a precise reason why not.
import type { z } from 'zod';
import type { Stage } from './subjects.ts';

interface BaseDef<S extends z.ZodType> {
  /** `<stage>.<name>.v<N>` */
  readonly type: string;
  readonly schema: S;
}
export interface WorkDef<S extends z.ZodType = z.ZodType> extends BaseDef<S> {
  readonly kind: 'work';
  readonly stage: Stage;
}
export interface EventDef<S extends z.ZodType = z.ZodType> extends BaseDef<S> {
  readonly kind: 'event';
  readonly topic: string;
  /** Subject tokens after the topic, taken from the body, so the events about one thing (a
   * person) can be read back by subject instead of by scanning the stream. */
  keyOf?(body: z.infer<S>): string[];
}
export type MessageDef<S extends z.ZodType = z.ZodType> = WorkDef<S> | EventDef<S>;
export type BodyOf<D> = D extends BaseDef<infer S> ? z.infer<S> : never;

/** A control endpoint: request and reply schemas, served as `<p>.ctl.<ws>.<verb>`. */
export interface ControlDef<Q extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly verb: string;
  readonly request: Q;
  readonly reply: R;
  /** The actor that serves it; singleton actors answer through their workspace's leader. */
  readonly actor: string;
  readonly description: string;
}
export type RequestOf<C> = C extends ControlDef<infer Q, z.ZodType> ? z.infer<Q> : never;
export type ReplyOf<C> = C extends ControlDef<z.ZodType, infer R> ? z.infer<R> : never;

const TYPE_ID = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;
const registry = new Map<string, MessageDef>();

function register<D extends MessageDef>(def: D): D {
  if (!TYPE_ID.test(def.type)) throw new Error(`message type id "${def.type}" is not <stage>.<name>.v<N>`);
  if (registry.has(def.type)) throw new Error(`message type "${def.type}" is defined twice`);
  registry.set(def.type, def);
  return def;
}

export function workMessage<S extends z.ZodType>(type: string, stage: Stage, schema: S): WorkDef<S> {
  return register({ kind: 'work', type, stage, schema });
}

export function eventMessage<S extends z.ZodType>(
  type: string,
  topic: string,
  schema: S,
  keyOf?: (body: z.infer<S>) => string[],
): EventDef<S> {
  return register<EventDef<S>>({ kind: 'event', type, topic, schema, ...(keyOf ? { keyOf } : {}) });
}

export function control<Q extends z.ZodType, R extends z.ZodType>(
  actor: string,
  verb: string,
  description: string,
  request: Q,
  reply: R,
): ControlDef<Q, R> {
  return { actor, verb, description, request, reply };
}

export function messageDef(type: string): MessageDef | undefined {
  return registry.get(type);
}

export function allMessageDefs(): MessageDef[] {
  return [...registry.values()];
}
