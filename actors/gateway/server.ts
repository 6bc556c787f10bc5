// The gateway's HTTP servers (fastify): the console and its JSON API, /metrics, and the public
// routes (Intercom webhooks, /healthz) beside them or on a listener of their own. One gateway per
// worker serves every workspace the worker hosts; each request runs in that workspace's context.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../../runtime/index.ts';
import type { ActorContext, Logger } from '../../runtime/index.ts';
import { apiRoutes } from './api-routes.ts';
import { EventHub } from './event-hub.ts';
import { HttpError, errorReply, zodCompiler } from './http-errors.ts';
import { type GatewayMetrics, createMetrics } from './metrics.ts';
import { Operators } from './operators.ts';
import { pageRoutes } from './page-routes.ts';
import { metricsRoute, publicRoutes } from './public-routes.ts';
import type { Gateway, RouteSpec } from './route-spec.ts';
import { Security } from './security.ts';

const MAX_BODY = 1024 * 1024;

export interface GatewayOptions {
  http: Config['http'];
  console: Config['console'];
  publicUrl: string;
  log: Logger;
  webhookSecret(ws: string): string | undefined;
  health(): Promise<{ connected: boolean; rttMs: number | null; server: string | null }>;
  now?(): number;
}

/** A route as served: method, path and what it allows (tests walk these). */
export interface ServedRoute {
  method: string;
  url: string;
  name: string;
  access: RouteSpec['access'];
  kind: RouteSpec['kind'];
  listener: 'console' | 'public';
}

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

export class GatewayServer implements Gateway {
  readonly metrics: GatewayMetrics = createMetrics();
  readonly hub = new EventHub();
  readonly operators: Operators;
  readonly security: Security;
  readonly log: Logger;
  readonly routes: ServedRoute[] = [];
  private readonly contexts = new Map<string, ActorContext>();
  private readonly o: GatewayOptions;
  private apps: FastifyInstance[] = [];
  url = '';
  publicUrl: string | null = null;

  constructor(o: GatewayOptions) {
    this.o = o;
    this.log = o.log;
    this.operators = new Operators(o.console.operators);
    const sessionSecret = o.console.sessionSecret ?? randomBytes(32).toString('base64url');
    if (!o.console.sessionSecret && this.operators.configured) {
      o.log.warn('console.sessionSecret is not set: sessions end when this process restarts and do not carry across gateways');
    }
    this.security = new Security({
      operators: this.operators,
      sessionSecret,
      sessionHours: o.console.sessionHours,
      publicUrl: o.publicUrl,
      log: o.log,
      now: o.now ?? Date.now,
    });
  }

  addWorkspace(ctx: ActorContext): void {
    this.contexts.set(ctx.ws, ctx);
  }

  /** Returns how many workspaces are still served. */
  removeWorkspace(ws: string): number {
    this.contexts.delete(ws);
    return this.contexts.size;
  }

  context(ws: string): ActorContext {
    const ctx = this.contexts.get(ws);
    if (!ctx) throw new HttpError(404, 'unknown_workspace', `workspace "${ws}" is not served here`);
    return ctx;
  }

  workspaces(): string[] {
    return [...this.contexts.keys()].sort();
  }

  webhookSecret(ws: string): string | undefined {
    return this.o.webhookSecret(ws);
  }

  health() {
    return this.o.health();
  }

  async listen(): Promise<string> {
    const own = this.o.http.public;
    const consoleApp = await this.build('console', [
      ...pageRoutes(this),
      ...apiRoutes(this),
      metricsRoute(this),
      ...(own ? [] : publicRoutes(this)),
    ]);
    this.apps.push(consoleApp);
    this.url = await this.start(consoleApp, this.o.http.host, this.o.http.port);
    if (own) {
      const publicApp = await this.build('public', publicRoutes(this));
      this.apps.push(publicApp);
      this.publicUrl = await this.start(publicApp, own.host, own.port);
    }
    return this.url;
  }

  async close(): Promise<void> {
    this.hub.closeAll();
    const apps = this.apps;
    this.apps = [];
    await Promise.all(apps.map((a) => a.close()));
  }

  private async start(app: FastifyInstance, host: string, port: number): Promise<string> {
    await app.listen({ host, port });
    const a = app.server.address();
    if (!a || typeof a === 'string') return String(a);
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  private async build(listener: ServedRoute['listener'], specs: RouteSpec[]): Promise<FastifyInstance> {
    const app = Fastify({
      logger: false,
      bodyLimit: MAX_BODY,
      trustProxy: this.o.http.trustProxy,
      forceCloseConnections: true,
      exposeHeadRoutes: false,
      routerOptions: { ignoreTrailingSlash: true },
    });
    app.setValidatorCompiler(zodCompiler);
    // An empty JSON body is {} (a start or a stop needs nothing else); the rest as fastify parses it.
    const json = app.getDefaultJsonParser('error', 'ignore');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
      String(body).trim() === '' ? done(null, {}) : json(req, body as string, done),
    );
    app.addHook('onRoute', (r) => {
      const c = r.config ?? {};
      if (!c.name || !c.access || !c.kind) return;
      for (const method of [r.method].flat())
        this.routes.push({ method, url: r.url, name: c.name, access: c.access, kind: c.kind, listener });
    });
    app.addHook('onRequest', async (req) => {
      (req as FastifyRequest & { startedAt?: bigint }).startedAt = process.hrtime.bigint();
    });
    app.addHook('onSend', async (_req, reply) => {
      reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin').header('content-security-policy', CSP);
    });
    app.addHook('onResponse', async (req, reply) => this.measure(req, reply));
    if (listener === 'console') await this.security.register(app);
    app.addHook('preValidation', async (req) => this.jsonOnly(req));
    app.setErrorHandler((err, req, reply) => this.fail(err, req, reply));
    app.setNotFoundHandler((req, reply) => this.notFound(listener, req, reply));
    const raw = specs.filter((s) => s.rawBody);
    for (const s of specs.filter((x) => !x.rawBody)) this.register(app, s);
    await app.register(async (scope) => {
      // Signed webhooks: the signature covers the exact bytes, so the body stays raw.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      for (const s of raw) this.register(scope, s);
    });
    await app.ready();
    return app;
  }

  private register(app: FastifyInstance, s: RouteSpec): void {
    app.route({
      method: s.method,
      url: s.url,
      config: { name: s.name, access: s.access, kind: s.kind, csrf: s.csrf },
      schema: s.schema,
      handler: s.handler,
    });
  }

  /** The API takes JSON: a cross-site form cannot send it without a preflight nobody grants. */
  private async jsonOnly(req: FastifyRequest): Promise<void> {
    if (req.routeOptions.config.kind !== 'api' || req.body === undefined) return;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      throw new HttpError(415, 'unsupported_media_type', `${req.method} ${req.url} takes a JSON body (content-type: application/json)`);
    }
  }

  private measure(req: FastifyRequest, reply: FastifyReply): void {
    const route = req.routeOptions.config.name ?? 'unmatched';
    const started = (req as FastifyRequest & { startedAt?: bigint }).startedAt;
    this.metrics.requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    if (started) this.metrics.duration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  private fail(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
    const r = errorReply(err);
    const route = req.routeOptions.config.name ?? 'unmatched';
    // 5xx other than 500 are the system's state (no leader yet, an actor not hosted), not a fault here.
    if (r.status === 500) this.log.error({ route, err }, 'gateway request failed');
    else if (r.status > 500) this.log.warn({ route, err }, 'gateway request unavailable');
    return reply
      .code(r.status)
      .headers({ 'cache-control': 'no-store', ...r.headers })
      .send(r.body);
  }

  /** 404, or 405 with Allow when the path exists under other methods. */
  private notFound(listener: ServedRoute['listener'], req: FastifyRequest, reply: FastifyReply): FastifyReply {
    const path = req.url.split('?')[0].replace(/(.)\/$/, '$1');
    const allowed = [...new Set(this.routes.filter((r) => r.listener === listener && matches(r.url, path)).map((r) => r.method))];
    if (allowed.length) {
      return this.fail(
        new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here; use ${allowed.join(' or ')}`, {
          allow: allowed.join(', '),
        }),
        req,
        reply,
      );
    }
    return this.fail(new HttpError(404, 'not_found', `no route ${req.method} ${path}`), req, reply);
  }
}

/** Whether a concrete path fits a route pattern (`/api/:ws/errors/:id`). */
export function matches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  return want.length === got.length && want.every((w, i) => (w.startsWith(':') ? got[i] !== '' : w === got[i]));
}
