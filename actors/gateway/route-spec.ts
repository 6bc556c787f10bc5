// A route as the gateway declares it: method, path, a name for metrics and logs, who may use it,
// and zod schemas for its params, query and body. The server registers these with fastify; the
// access of every route is data, so the tests walk the same table the server serves.
import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { z } from 'zod';
import type { ActorContext, Logger } from '../../runtime/index.ts';
import type { EventHub } from './event-hub.ts';
import type { Access, Operator, Operators } from './operators.ts';
import type { RouteKind, Security } from './security.ts';
import type { GatewayMetrics } from './metrics.ts';

/** What route handlers reach: the workspaces served, the live-event hub, sign-in. */
export interface Gateway {
  context(ws: string): ActorContext;
  workspaces(): string[];
  readonly hub: EventHub;
  readonly security: Security;
  readonly operators: Operators;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  webhookSecret(ws: string): string | undefined;
  health(): Promise<{ connected: boolean; rttMs: number | null; server: string | null }>;
}

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The signed-in operator (null only on public routes). */
  operator: Operator | null;
  req: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  name: string;
  access: Access;
  kind: RouteKind;
  /** A public form that still needs a CSRF token. */
  csrf?: boolean;
  /** The body as raw bytes, whatever its type (a signed webhook). */
  rawBody?: boolean;
  schema: { params?: z.ZodType; querystring?: z.ZodType; body?: z.ZodType };
  handler(req: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export function route<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  spec: Omit<RouteSpec, 'schema' | 'handler'> & {
    params?: P;
    query?: Q;
    body?: B;
    handle(input: HandlerInput<Infer<P>, Infer<Q>, Infer<B>>): Promise<unknown>;
  },
): RouteSpec {
  const { params, query, body, handle, ...rest } = spec;
  return {
    ...rest,
    // Only the parts a route checks: fastify warns of a part named without a schema.
    schema: Object.fromEntries(Object.entries({ params, querystring: query, body }).filter(([, v]) => v !== undefined)),
    handler: (req, reply) =>
      handle({
        params: req.params as Infer<P>,
        query: req.query as Infer<Q>,
        body: req.body as Infer<B>,
        operator: req.operator,
        req,
        reply,
      }),
  };
}

/** The operator of a route that needs one (the access hook has admitted them). */
export function signedIn(o: Operator | null): Operator {
  if (!o) throw new Error('route needs a signed-in operator');
  return o;
}
