// The gateway's HTTP server: Intercom webhooks in, a JSON API over the control requests, the
// workspace page, /metrics and /healthz. One server per worker serves every workspace the worker
// hosts; each request runs in that workspace's actor context.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ControlError, DecodeError, MatchContacts } from '../../protocol/index.ts';
import type { ActorContext, Logger } from '../../runtime/index.ts';
import { BadRequestError } from './api-params.ts';
import { API_ROUTES, loadPage } from './api.ts';
import { type GatewayMetrics, createMetrics } from './metrics.ts';
import { renderPage } from './page.ts';
import { type RouteName, matchRoute } from './routes.ts';
import { WebhookBodyError, interpretNotification, verifySignature } from './webhook.ts';

const MAX_BODY = 1024 * 1024;

export interface GatewayOptions {
  host: string;
  port: number;
  log: Logger;
  webhookSecret(ws: string): string | undefined;
  health(): Promise<{ connected: boolean; rttMs: number | null; server: string | null }>;
}

class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'too_large', `request body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: string | Uint8Array, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8', headers);

/** Any failure as `{ error: { code, message, status, details? } }`, the control plane's own shape. */
function errorReply(err: unknown): { status: number; body: unknown; headers: Record<string, string> } {
  if (err instanceof ControlError) {
    return {
      status: err.status,
      headers: {},
      body: { error: { code: err.code, message: err.message, status: err.status, details: err.details } },
    };
  }
  if (err instanceof HttpError)
    return { status: err.status, headers: err.headers, body: { error: { code: err.code, message: err.message, status: err.status } } };
  if (err instanceof BadRequestError || err instanceof WebhookBodyError) {
    return { status: 400, headers: {}, body: { error: { code: 'bad_request', message: err.message, status: 400 } } };
  }
  if (err instanceof DecodeError)
    return { status: 400, headers: {}, body: { error: { code: 'invalid_request', message: err.message, status: 400 } } };
  return { status: 500, headers: {}, body: { error: { code: 'internal', message: (err as Error)?.message ?? String(err), status: 500 } } };
}

export class GatewayServer {
  readonly metrics: GatewayMetrics = createMetrics();
  private readonly contexts = new Map<string, ActorContext>();
  private readonly o: GatewayOptions;
  private server: Server | null = null;
  url = '';

  constructor(o: GatewayOptions) {
    this.o = o;
  }

  addWorkspace(ctx: ActorContext): void {
    this.contexts.set(ctx.ws, ctx);
  }

  /** Returns how many workspaces are still served. */
  removeWorkspace(ws: string): number {
    this.contexts.delete(ws);
    return this.contexts.size;
  }

  async listen(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    // Keep-alive sockets would hold close() open for their idle timeout.
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const a = server.address() as AddressInfo;
    this.url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    return this.url;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://gateway');
    const method = req.method ?? 'GET';
    const m = matchRoute(method, url.pathname);
    const route: RouteName | 'unmatched' = m.kind === 'route' ? m.name : 'unmatched';
    try {
      if (m.kind === 'not_found') throw new HttpError(404, 'not_found', `no route ${method} ${url.pathname}`);
      if (m.kind === 'method_not_allowed') {
        throw new HttpError(405, 'method_not_allowed', `${method} is not allowed here; use ${m.allowed.join(' or ')}`, {
          allow: m.allowed.join(', '),
        });
      }
      await this.dispatch(m.name, m.params, method, url, req, res);
    } catch (err) {
      const r = errorReply(err);
      // 5xx other than 500 are the system's state (no leader yet, an actor not hosted), not a fault here.
      if (r.status === 500) this.o.log.error({ route, err: (err as Error)?.message }, 'gateway request failed');
      else if (r.status > 500) this.o.log.warn({ route, err: (err as Error)?.message }, 'gateway request unavailable');
      if (!res.headersSent) sendJson(res, r.status, r.body, r.headers);
    } finally {
      const status = String(res.statusCode);
      this.metrics.requests.inc({ route, method, status });
      this.metrics.duration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private context(ws: string): ActorContext {
    const ctx = this.contexts.get(ws);
    if (!ctx) throw new HttpError(404, 'unknown_workspace', `workspace "${ws}" is not served here`);
    return ctx;
  }

  private async dispatch(
    name: RouteName,
    params: Record<string, string>,
    method: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    switch (name) {
      case 'metrics':
        return send(res, 200, await this.metrics.registry.metrics(), this.metrics.registry.contentType);
      case 'healthz': {
        const h = await this.o.health();
        return sendJson(res, h.connected ? 200 : 503, { status: h.connected ? 'ok' : 'unavailable', nats: h });
      }
      case 'webhook':
        return this.webhook(this.context(params.ws), method, req, res);
      case 'page': {
        const ctx = this.context(params.ws);
        const all = url.searchParams.get('all') === '1';
        return send(res, 200, renderPage(await loadPage(ctx, all)), 'text/html; charset=utf-8');
      }
      default: {
        const ctx = this.context(params.ws);
        const api = API_ROUTES[name];
        let body: Uint8Array = new Uint8Array();
        if (method === 'POST' || method === 'PUT') {
          // JSON only: a cross-site form cannot send it without a preflight the gateway never grants.
          const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
          if (type !== 'application/json')
            throw new HttpError(
              415,
              'unsupported_media_type',
              `${method} ${url.pathname} takes a JSON body (content-type: application/json)`,
            );
          body = await readBody(req);
        }
        return sendJson(res, 200, await api(ctx, { params, query: url.searchParams, body }));
      }
    }
  }

  private async webhook(ctx: ActorContext, method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (method === 'HEAD') return send(res, 200, '', 'text/plain');
    const raw = await readBody(req);
    const secret = this.o.webhookSecret(ctx.ws);
    if (!secret) {
      this.metrics.webhooks.inc({ outcome: 'no_secret' });
      ctx.log.warn('webhook refused: no intercom.webhookSecret is configured for the workspace');
      throw new HttpError(401, 'no_secret', `no webhook secret is configured for workspace ${ctx.ws}`);
    }
    if (!verifySignature(raw, req.headers['x-hub-signature'] as string | undefined, secret)) {
      this.metrics.webhooks.inc({ outcome: 'bad_signature' });
      throw new HttpError(401, 'bad_signature', 'X-Hub-Signature does not match the body');
    }
    const action = interpretNotification(raw);
    if (action.kind === 'sync') {
      await ctx.publish(MatchContacts, { contacts: [action.contact], source: 'webhook' }, { cls: 'event', msgId: action.msgId });
    } else if (action.kind === 'deleted') {
      // Nothing to sync: records are never created or deleted, and the stale link goes when used.
      ctx.log.info({ icId: action.id }, 'Intercom contact deleted');
    }
    this.metrics.webhooks.inc({ outcome: action.kind });
    sendJson(res, 200, { ok: true, action: action.kind });
  }
}
