// The REST face: bearer auth, Intercom-Version, the fixed-window rate limit with its headers on
// every answer (the limit is always on, as on the service), injected faults, then the engine's
// operation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApiResult, errorList, type IntercomEngine } from './engine.ts';
import type { FaultInjector } from './faults.ts';
import { BodyError, parseJson, readBody, sendJson } from './http.ts';
import { rateLimitMessage, type RateLimitVerdict, type WindowLimiter } from './rate-limit.ts';
import type { StatsRecorder } from './stats.ts';
import type { RateLimitOptions } from './types.ts';

export interface ApiContext {
  engine: IntercomEngine;
  faults: FaultInjector;
  stats: StatsRecorder;
  token: () => string;
  limiter: () => { limiter: WindowLimiter; opts: RateLimitOptions };
  now: () => number;
}

const VERSIONS = new Set([
  '1.0',
  '1.1',
  '1.2',
  '1.3',
  '1.4',
  '2.0',
  '2.1',
  '2.2',
  '2.3',
  '2.4',
  '2.5',
  '2.6',
  '2.7',
  '2.8',
  '2.9',
  '2.10',
  '2.11',
  '2.12',
  '2.13',
  '2.14',
  'Unstable',
]);
const MAX_BODY = 1024 * 1024;

type Route = { endpoint: string; run: (ctx: ApiContext, body: unknown, q: URLSearchParams) => ApiResult };

/** Maps method and path to an endpoint; undefined for paths the sandbox does not serve. */
export function route(method: string, path: string): Route | undefined {
  if (path === '/contacts' && method === 'GET') return { endpoint: 'GET /contacts', run: (c, _b, q) => c.engine.listContacts(q) };
  if (path === '/contacts/search' && method === 'POST')
    return { endpoint: 'POST /contacts/search', run: (c, b) => c.engine.searchContacts(b) };
  if (path === '/contacts/merge' && method === 'POST')
    return { endpoint: 'POST /contacts/merge', run: (c, b) => c.engine.mergeContacts(b) };
  if (path === '/data_attributes' && method === 'GET')
    return { endpoint: 'GET /data_attributes', run: (c, _b, q) => c.engine.listDataAttributes(q) };
  const m = /^\/contacts\/([^/]+)$/.exec(path);
  if (m && m[1] !== 'search' && m[1] !== 'merge') {
    const id = decodeURIComponent(m[1]);
    if (method === 'GET') return { endpoint: 'GET /contacts/{id}', run: (c) => c.engine.getContact(id) };
    if (method === 'PUT') return { endpoint: 'PUT /contacts/{id}', run: (c, b) => c.engine.updateContact(id, b) };
    if (method === 'DELETE') return { endpoint: 'DELETE /contacts/{id}', run: (c) => c.engine.deleteContact(id) };
  }
  return undefined;
}

function rateHeaders(v: RateLimitVerdict): Record<string, string> {
  return { 'x-ratelimit-limit': String(v.limit), 'x-ratelimit-remaining': String(v.remaining), 'x-ratelimit-reset': String(v.resetSec) };
}

export async function handleApi(req: IncomingMessage, res: ServerResponse, ctx: ApiContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const method = req.method ?? 'GET';
  const r = route(method, url.pathname);
  ctx.stats.call(r?.endpoint ?? `${method} ${url.pathname}`);
  const reply = (status: number, body: unknown, headers: Record<string, string>) => {
    ctx.stats.status(status);
    sendJson(res, status, body, headers);
  };

  const latency = ctx.faults.latencyMs(url.pathname);
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
  const fault = ctx.faults.decide(url.pathname);
  if (fault) {
    ctx.stats.fault();
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    return reply(fault.status, errorList('server_error', 'Server Error'), rateHeaders(ctx.limiter().limiter.peek(ctx.now())));
  }

  const rl = ctx.limiter();
  if (req.headers.authorization !== `Bearer ${ctx.token()}`) {
    return reply(401, errorList('unauthorized', 'Access Token Invalid'), rateHeaders(rl.limiter.peek(ctx.now())));
  }
  const verdict = rl.limiter.take(ctx.now());
  const headers = rateHeaders(verdict);
  if (!verdict.allowed) {
    ctx.stats.rateLimited();
    return reply(429, errorList('rate_limit_exceeded', rateLimitMessage(rl.opts)), headers);
  }
  const version = req.headers['intercom-version'];
  if (typeof version === 'string' && !VERSIONS.has(version)) {
    return reply(400, errorList('intercom_version_invalid', `The requested version ${version} could not be found`), headers);
  }
  if (!r) return reply(404, errorList('not_found', `No route for ${method} ${url.pathname}`), headers);

  let body: unknown;
  if (method === 'POST' || method === 'PUT') {
    let text: string;
    try {
      text = await readBody(req, MAX_BODY);
    } catch (err) {
      if (err instanceof BodyError) return reply(413, errorList('parameter_invalid', err.message), headers);
      throw err;
    }
    const parsed = parseJson(text);
    if (!parsed.ok) return reply(400, errorList('parameter_invalid', 'the request body is not valid JSON'), headers);
    body = parsed.value;
  }
  const result = r.run(ctx, body, url.searchParams);
  reply(result.status, result.body, headers);
}
