// The Salesforce sandbox as a real HTTP server (node:http): OAuth token endpoint, the REST data
// API with the usage header, 24-hour limit, faults and session checks, and /__admin.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import type { SfObject, SfRecord } from '../../connectors/types.ts';
import type { GeneratorOptions } from '../generator.ts';
import { handleAdmin, state } from './admin.ts';
import { classify, DataApi } from './data-api.ts';
import type { FaultSettings } from './faults.ts';
import { grantToken, type OAuthConfig } from './oauth.ts';
import { SandboxOrg, type SandboxStats } from './org.ts';
import type { UsageSnapshot } from './usage.ts';
import type { ValidationRule } from './validate.ts';

export interface SalesforceSandboxOptions {
  /** 0 or absent: a free port. */
  port?: number;
  host?: string;
  /** Seed records from the generator. */
  seed?: GeneratorOptions;
  /** Seed records from an NDJSON file (generated people or dumped records). */
  ndjsonPath?: string;
  clientId?: string;
  clientSecret?: string;
  /** The user JWT assertions must name in `sub`. */
  username?: string;
  /** PEM or KeyObject to verify JWT assertions; without it their signatures are not checked. */
  jwtPublicKey?: string | KeyObject;
  jwtAudiences?: string[];
  sessionTtlMs?: number;
  /** DailyApiRequests Max. Default 100,000. */
  dailyMax?: number;
  /** Calls already made today by other integrations. */
  otherUsage?: number;
  /** The clock (ms); advanceClock() shifts it. Default Date.now. */
  now?: () => number;
  /** Default query page size. Default 2000. */
  pageSize?: number;
  faults?: Partial<FaultSettings>;
  rules?: ValidationRule[];
  /** Newest API version listed at /services/data. Default 62.0. */
  apiVersion?: string;
}

export interface SalesforceSandbox {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  /** The state underneath, for what the methods below do not cover. */
  readonly org: SandboxOrg;
  records(object: SfObject, offset?: number, limit?: number): SfRecord[];
  get(id: string): SfRecord | undefined;
  counts(): Record<SfObject, number>;
  /** A change as a user makes it in the UI: bumps SystemModstamp, no API validation rules. */
  userUpdate(id: string, fields: Record<string, unknown>): SfRecord;
  create(object: SfObject, fields: Record<string, unknown>): SfRecord;
  delete(id: string): boolean;
  usage(): UsageSnapshot;
  setDailyMax(max: number): void;
  setOtherUsage(calls: number): void;
  addOtherUsage(calls: number): void;
  resetUsage(): void;
  advanceClock(ms: number): void;
  addRule(rule: ValidationRule): void;
  removeRule(name: string): void;
  clearRules(): void;
  setFaults(patch: Partial<FaultSettings>): FaultSettings;
  clearFaults(): void;
  /** Every session now invalid: the next API call answers 401 INVALID_SESSION_ID. */
  expireSessions(): void;
  issueToken(): string;
  stats(): SandboxStats;
  resetStats(): void;
  load(source: string | Iterable<unknown> | AsyncIterable<unknown>): Promise<number>;
  dump(path: string): Promise<number>;
  seed(opts: GeneratorOptions): number;
  state(): Record<string, unknown>;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const MAX_BODY = 50 * 1024 * 1024;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class SandboxServer {
  readonly org: SandboxOrg;
  readonly api: DataApi;
  baseUrl = '';

  constructor(private readonly opts: SalesforceSandboxOptions) {
    const oauth: OAuthConfig = {
      clientId: opts.clientId ?? 'sandbox-client-id',
      clientSecret: opts.clientSecret ?? 'sandbox-client-secret',
      username: opts.username ?? 'integration@sandbox.example',
      jwtPublicKey: opts.jwtPublicKey,
      audiences: opts.jwtAudiences,
      orgId: '00D000000000001AAA',
      userId: '005000000000001AAA',
      sessionTtlMs: opts.sessionTtlMs,
    };
    this.org = new SandboxOrg(oauth, opts.dailyMax ?? 100_000, opts.now ?? Date.now);
    this.api = new DataApi(this.org, opts.pageSize ?? 2000);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const path = url.pathname;
    const raw = await readBody(req);
    if (path === '/services/oauth2/token') return this.token(req, res, raw);
    if (path.startsWith('/__admin/')) return this.admin(req, res, url, raw);
    if (path === '/services/data' || path === '/services/data/') {
      const v = this.opts.apiVersion ?? '62.0';
      return send(res, 200, [{ label: 'Sandbox', url: `/services/data/v${v}`, version: v }]);
    }
    const m = /^\/services\/data\/v(\d+\.\d+)(\/.*)?$/.exec(path);
    if (m) return this.data(req, res, url, m[1], m[2] ?? '', raw);
    return send(res, 404, [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  }

  private async token(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const stats = this.org.stats;
    stats.requests++;
    stats.byKind.auth++;
    const latency = this.org.faults.current.latencyMs;
    if (latency) await sleep(latency);
    if (req.method !== 'POST') return send(res, 405, { error: 'invalid_request', error_description: 'must use HTTP POST' });
    const answer = grantToken(
      this.org.oauth,
      this.org.sessions,
      new URLSearchParams(raw),
      req.headers.authorization,
      this.baseUrl,
      this.org.now(),
    );
    send(res, answer.status, answer.body);
  }

  private async data(req: IncomingMessage, res: ServerResponse, url: URL, version: string, rest: string, raw: string): Promise<void> {
    const org = this.org;
    const method = req.method ?? 'GET';
    org.stats.requests++;
    org.stats.byKind[classify(method, rest)]++;
    const { latencyMs } = org.faults.current;
    if (latencyMs) await sleep(latencyMs);
    const fault = org.faults.forCall();
    if (fault === 'drop') {
      org.stats.dropped++;
      req.socket.destroy();
      return;
    }
    const limitHeader = () => ({ 'Sforce-Limit-Info': org.usage.header() });
    if (fault === 'error') {
      org.stats.injectedErrors++;
      return send(res, 503, [{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }], limitHeader());
    }
    if (fault === 'concurrency') {
      org.stats.limited++;
      return send(
        res,
        403,
        [{ message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
        limitHeader(),
      );
    }
    const auth = req.headers.authorization ?? '';
    if (fault === 'unauthorized' || !org.sessions.valid(/^(?:Bearer|OAuth) (.+)$/.exec(auth)?.[1])) {
      org.stats.unauthorized++;
      return send(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }], limitHeader());
    }
    if (org.usage.exhausted()) {
      org.stats.limited++;
      return send(res, 403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], limitHeader());
    }
    org.usage.charge();
    org.stats.charged++;
    const parsed = parseJson(raw);
    if (!parsed.ok) return send(res, 400, [{ message: parsed.message, errorCode: 'JSON_PARSER_ERROR' }], limitHeader());
    const answer = this.api.handle({
      method,
      version,
      path: rest,
      query: url.searchParams,
      headers: req.headers,
      body: parsed.value,
      baseUrl: this.baseUrl,
    });
    send(res, answer.status, answer.body, limitHeader());
  }

  private async admin(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<void> {
    const contentType = req.headers['content-type'] ?? '';
    const parsed = contentType.includes('ndjson') ? { ok: true as const, value: undefined } : parseJson(raw);
    if (!parsed.ok) return send(res, 400, { error: `body is not JSON: ${parsed.message}` });
    const answer = await handleAdmin(this.org, {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: parsed.value,
      rawBody: raw,
      contentType,
    });
    if ('ndjson' in answer) {
      res.writeHead(answer.status, { 'content-type': 'application/x-ndjson' });
      for (const row of answer.ndjson) {
        if (!res.write(JSON.stringify(row) + '\n')) await new Promise((r) => res.once('drain', r));
      }
      res.end();
      return;
    }
    send(res, answer.status, answer.body);
  }
}

export async function startSalesforceSandbox(opts: SalesforceSandboxOptions = {}): Promise<SalesforceSandbox> {
  const s = new SandboxServer(opts);
  const org = s.org;
  if (opts.seed) org.seed(opts.seed);
  if (opts.ndjsonPath) await org.load(opts.ndjsonPath);
  if (opts.faults) org.faults.set(opts.faults);
  for (const rule of opts.rules ?? []) org.addRule(rule);
  if (opts.otherUsage) org.usage.setOther(opts.otherUsage);

  const server = createServer((req, res) => {
    s.handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, [{ message: (e as Error).message, errorCode: 'UNKNOWN_EXCEPTION' }]);
      else res.destroy();
    });
  });
  server.on('connection', () => {
    org.stats.connections++;
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  s.baseUrl = `http://${shownHost}:${port}`;

  return {
    url: s.baseUrl,
    port,
    org,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
    records: (object, offset, limit) => org.records(object, offset, limit),
    get: (id) => org.get(id),
    counts: () => org.counts(),
    userUpdate: (id, fields) => org.userUpdate(id, fields),
    create: (object, fields) => org.create(object, fields),
    delete: (id) => org.delete(id),
    usage: () => org.usage.snapshot(),
    setDailyMax: (max) => org.setDailyMax(max),
    setOtherUsage: (calls) => org.usage.setOther(calls),
    addOtherUsage: (calls) => org.usage.addOther(calls),
    resetUsage: () => org.usage.reset(),
    advanceClock: (ms) => org.advanceClock(ms),
    addRule: (rule) => {
      org.addRule(rule);
    },
    removeRule: (name) => {
      org.removeRule(name);
    },
    clearRules: () => org.clearRules(),
    setFaults: (patch) => org.faults.set(patch),
    clearFaults: () => org.faults.clear(),
    expireSessions: () => org.sessions.expireAll(),
    issueToken: () => org.issueToken(),
    stats: () => structuredClone(org.stats),
    resetStats: () => org.resetStats(),
    load: (source) => org.load(source),
    dump: (path) => org.dump(path),
    seed: (o) => org.seed(o),
    state: () => state(org),
  };
}
