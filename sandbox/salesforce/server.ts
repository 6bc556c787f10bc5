// The Salesforce sandbox as a real HTTP server (node:http): OAuth token endpoint, the REST data
// API with the usage header, supported API versions, 24-hour limit, faults and session checks,
// and /__admin.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SObjectName, SObjectRecord } from './wire.ts';
import type { GeneratorOptions } from '../generator.ts';
import { handleAdmin, state } from './admin.ts';
import { classify, DataApi } from './data-api.ts';
import type { FaultSettings } from './faults.ts';
import { DEFAULT_SESSION_TIMEOUT_MS, grantToken, type OAuthConfig } from './oauth.ts';
import type { SfFieldSpec } from '../sf-schema.ts';
import { SandboxOrg, type SandboxStats } from './org.ts';
import type { UsageSnapshot } from './usage.ts';
import type { ChangeEventStats } from './change-events.ts';
import { StreamingEndpoint } from './streaming.ts';
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
  /** The connected app's certificate key (PEM or KeyObject) JWT assertions are verified with.
   * Without it the sandbox makes a key pair and offers its private half as `jwtPrivateKey`. */
  jwtPublicKey?: string | KeyObject;
  jwtAudiences?: string[];
  /** A session ends after this long without a call. Default two hours, Salesforce's default. */
  sessionTimeoutMs?: number;
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
  /** Newest API version served; 31.0 up to it are served, older ones are retired (410) and
   * newer ones do not exist (404). Default 62.0. */
  apiVersion?: string;
}

export interface SalesforceSandbox {
  readonly url: string;
  readonly port: number;
  /** PEM of the key that signs JWT assertions this sandbox accepts (when it made its own pair). */
  readonly jwtPrivateKey: string | undefined;
  close(): Promise<void>;
  /** The state underneath, for what the methods below do not cover. */
  readonly org: SandboxOrg;
  records(object: SObjectName, offset?: number, limit?: number): SObjectRecord[];
  get(id: string): SObjectRecord | undefined;
  counts(): Record<SObjectName, number>;
  /** A change as a user makes it in the UI: bumps SystemModstamp, no API validation rules. */
  userUpdate(id: string, fields: Record<string, unknown>): SObjectRecord;
  /** Many records changed in one transaction (a data load, a flow): one SystemModstamp for all. */
  userUpdateMany(changes: ReadonlyArray<{ id: string; fields: Record<string, unknown> }>): string;
  create(object: SObjectName, fields: Record<string, unknown>): SObjectRecord;
  delete(id: string): boolean;
  /** Converts a Lead as a user does: a new Contact (or the one given), the Lead marked converted. */
  convertLead(id: string, opts?: { contactId?: string }): { lead: SObjectRecord; contact: SObjectRecord };
  /** Adds or changes a custom field, as an admin does in Setup. */
  defineField(object: SObjectName, field: SfFieldSpec): void;
  /** Deletes a custom field, as an admin does in Setup. */
  deleteField(object: SObjectName, name: string): void;
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
  /** Change events published and lost (fault injection) so far. */
  changeEvents(): ChangeEventStats;
  load(source: string | Iterable<unknown> | AsyncIterable<unknown>): Promise<number>;
  dump(path: string): Promise<number>;
  seed(opts: GeneratorOptions): number;
  state(): Record<string, unknown>;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const MAX_BODY = 50 * 1024 * 1024;

/** The oldest API version not retired (21.0 to 30.0 were retired in Summer '25). */
const OLDEST_VERSION = 31;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
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

function versions(newest: string): string[] {
  const top = Number(newest);
  if (!/^\d+\.0$/.test(newest) || top < OLDEST_VERSION)
    throw new Error(`apiVersion must look like 62.0 and be 31.0 or newer, got ${newest}`);
  const out: string[] = [];
  for (let v = OLDEST_VERSION; v <= top; v++) out.push(`${v}.0`);
  return out;
}

class SandboxServer {
  readonly org: SandboxOrg;
  readonly api: DataApi;
  readonly jwtPrivateKey: string | undefined;
  readonly streaming: StreamingEndpoint;
  private readonly versions: string[];
  baseUrl = '';

  constructor(private readonly opts: SalesforceSandboxOptions) {
    this.versions = versions(opts.apiVersion ?? '62.0');
    let jwtPublicKey: string | KeyObject | undefined = opts.jwtPublicKey;
    if (!jwtPublicKey) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      jwtPublicKey = pair.publicKey;
      this.jwtPrivateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    }
    const oauth: OAuthConfig = {
      clientId: opts.clientId ?? 'sandbox-client-id',
      clientSecret: opts.clientSecret ?? 'sandbox-client-secret',
      username: opts.username ?? 'integration@sandbox.example',
      jwtPublicKey,
      audiences: opts.jwtAudiences,
      orgId: '00D000000000001AAA',
      userId: '005000000000001AAA',
      sessionTimeoutMs: opts.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
    };
    this.org = new SandboxOrg(oauth, opts.dailyMax ?? 100_000, opts.now ?? Date.now, opts.apiVersion ?? '62.0');
    this.api = new DataApi(this.org, opts.pageSize ?? 2000);
    this.streaming = new StreamingEndpoint(this.org.events, this.org.sessions);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const path = url.pathname;
    // The Streaming API reads its own request bodies.
    if (StreamingEndpoint.handles(path)) return this.streaming.handle(req, res);
    const raw = await readBody(req);
    if (path === '/services/oauth2/token') return this.token(req, res, raw);
    if (path.startsWith('/__admin/')) return this.admin(req, res, url, raw);
    if (path === '/services/data' || path === '/services/data/') {
      return send(
        res,
        200,
        this.versions.map((v) => ({ label: 'Sandbox', url: `/services/data/v${v}`, version: v })),
      );
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
    // A retired version is gone (410); one newer than the org's release does not exist (404).
    if (!this.versions.includes(version)) {
      const gone = Number(version) < OLDEST_VERSION;
      return send(res, gone ? 410 : 404, [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    }
    const method = req.method ?? 'GET';
    org.stats.requests++;
    const kind = classify(method, rest);
    org.stats.byKind[kind]++;
    org.stats.lastAt[kind] = Date.now();
    const { latencyMs } = org.faults.current;
    if (latencyMs) await sleep(latencyMs);
    const fault = org.faults.forCall();
    if (fault === 'drop') {
      org.stats.dropped++;
      req.socket.destroy();
      return;
    }
    // The org's clock in the Date header, as a service's answers carry its own time.
    const limitHeader = () => ({ 'Sforce-Limit-Info': org.usage.header(), Date: new Date(org.now()).toUTCString() });
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
      text: raw,
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
    jwtPrivateKey: s.jwtPrivateKey,
    org,
    close: () =>
      new Promise<void>((resolve, reject) => {
        s.streaming.close();
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
    records: (object, offset, limit) => org.records(object, offset, limit),
    get: (id) => org.get(id),
    counts: () => org.counts(),
    userUpdate: (id, fields) => org.userUpdate(id, fields),
    userUpdateMany: (changes) => org.userUpdateMany(changes),
    create: (object, fields) => org.create(object, fields),
    delete: (id) => org.delete(id),
    convertLead: (id, o) => org.convertLead(id, o),
    defineField: (object, field) => org.defineField(object, field),
    deleteField: (object, name) => org.deleteField(object, name),
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
    changeEvents: () => ({ ...org.events.stats }),
    resetStats: () => org.resetStats(),
    load: (source) => org.load(source),
    dump: (path) => org.dump(path),
    seed: (o) => org.seed(o),
    state: () => state(org),
  };
}
