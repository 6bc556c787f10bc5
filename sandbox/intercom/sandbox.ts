// startIntercomSandbox: a real HTTP server (node:http) that behaves like the parts of the
// Intercom REST API 2.14 peoplesync uses, with admin controls for tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleAdmin } from './admin-routes.ts';
import { handleApi } from './api-routes.ts';
import { assertTimeZone } from './calendar.ts';
import { checkAttributes, defaultDataAttributes } from './data-attributes.ts';
import { IntercomEngine } from './engine.ts';
import { SandboxInputError } from './errors.ts';
import { FaultInjector } from './faults.ts';
import * as people from './people.ts';
import { assertRateLimit, WindowLimiter } from './rate-limit.ts';
import { StatsRecorder } from './stats.ts';
import type {
  ContactCounts,
  FaultOptions,
  IntercomSandbox,
  IntercomSandboxOptions,
  RateLimitOptions,
  SandboxConfigPatch,
  SandboxStats,
  UserChange,
} from './types.ts';
import { WebhookSender } from './webhooks.ts';
import type { DataAttribute, StoredContact } from './wire.ts';

/** A private app's limit: 10,000 calls a minute, enforced in 10-second windows. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 1666, windowMs: 10_000 };
/** A limit no local run reaches (60 times the real one), for the command's sandboxes and the
 * benchmarks: the headers and the pacing they drive stay as on the service. */
export const HIGH_RATE_LIMIT: RateLimitOptions = { limit: 100_000, windowMs: 10_000 };
/** The description says a new contact may be missing from search "for a few minutes". */
export const DEFAULT_SEARCH_DELAY_MS = 60_000;

function checkSearchDelay(ms: unknown): number {
  if (typeof ms !== 'number' || !(ms >= 0)) throw new SandboxInputError(`searchDelayMs must be a number >= 0, got ${String(ms)}`);
  return ms;
}

function checkMode(mode: unknown): 'merge' | 'replace' {
  if (mode !== 'merge' && mode !== 'replace') {
    throw new SandboxInputError(`customAttributesMode must be merge or replace, got ${JSON.stringify(mode)}`);
  }
  return mode;
}

function checkRateLimit(rl: unknown): RateLimitOptions {
  if (typeof rl !== 'object' || rl === null) {
    throw new SandboxInputError('rateLimit must be {limit, windowMs}: the service always limits, so the sandbox does too');
  }
  assertRateLimit(rl as RateLimitOptions);
  return rl as RateLimitOptions;
}

function resolveOptions(partial: Partial<IntercomSandboxOptions>): IntercomSandboxOptions {
  const opts: IntercomSandboxOptions = {
    port: 0,
    host: '127.0.0.1',
    token: 'sandbox-token',
    workspaceId: 'sandbox1',
    rateLimit: DEFAULT_RATE_LIMIT,
    searchDelayMs: DEFAULT_SEARCH_DELAY_MS,
    timeZone: 'UTC',
    customAttributesMode: 'merge',
    dataAttributes: defaultDataAttributes(),
    seed: 1,
    now: Date.now,
    ...partial,
  };
  if (typeof opts.token !== 'string' || opts.token === '') throw new SandboxInputError('token must be a non-empty string');
  checkSearchDelay(opts.searchDelayMs);
  checkMode(opts.customAttributesMode);
  checkRateLimit(opts.rateLimit);
  checkAttributes(opts.dataAttributes);
  assertTimeZone(opts.timeZone);
  return opts;
}

class IntercomSandboxImpl implements IntercomSandbox {
  url = '';
  port = 0;
  private readonly statsRec = new StatsRecorder();
  private readonly webhooks: WebhookSender;
  private readonly engine: IntercomEngine;
  private readonly injector: FaultInjector;
  private limiter: { limiter: WindowLimiter; opts: RateLimitOptions };
  private readonly sockets = new Set<Socket>();
  private clockOffset = 0;
  readonly server: Server;

  constructor(private readonly opts: IntercomSandboxOptions) {
    const baseNow = opts.now;
    opts.now = () => baseNow() + this.clockOffset;
    this.webhooks = new WebhookSender(
      (o) => this.statsRec.webhook(o.delivered),
      (ok) => this.statsRec.validation(ok),
    );
    this.webhooks.subscribe(opts.webhook);
    this.engine = new IntercomEngine(opts, this.webhooks);
    this.injector = new FaultInjector(opts.seed, opts.faults);
    this.limiter = { limiter: new WindowLimiter(opts.rateLimit), opts: opts.rateLimit };
    if (opts.contacts) people.seed(this.engine, opts.contacts);
    this.server = createServer((req, res) => {
      const handler = req.url?.startsWith('/__admin/')
        ? handleAdmin(req, res, this)
        : handleApi(req, res, {
            engine: this.engine,
            faults: this.injector,
            stats: this.statsRec,
            now: this.opts.now,
            token: () => this.opts.token,
            limiter: () => this.limiter,
          });
      handler.catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error.list', errors: [{ code: 'server_error', message: (err as Error).message }] }));
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.statsRec.connection();
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  get token(): string {
    return this.opts.token;
  }
  get workspaceId(): string {
    return this.opts.workspaceId;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${this.opts.host}:${this.port}`;
  }

  async close(): Promise<void> {
    await this.webhooks.drain();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  getContact(id: string): StoredContact | undefined {
    return this.engine.store.get(id);
  }
  contacts(): StoredContact[] {
    return this.engine.store.all();
  }
  counts(): ContactCounts {
    return this.engine.store.counts();
  }
  createContacts(partials: Iterable<Partial<StoredContact>>, o?: { notify?: boolean }): StoredContact[] {
    return people.createContacts(this.engine, partials, o?.notify ?? false);
  }
  seed(contacts: Iterable<Partial<StoredContact>>): number {
    return people.seed(this.engine, contacts);
  }
  userChange(id: string, change: UserChange): StoredContact {
    return people.userChange(this.engine, id, change);
  }
  userDelete(id: string): void {
    people.userDelete(this.engine, id);
  }
  userMerge(fromLeadId: string, intoUserId: string): StoredContact {
    return people.userMerge(this.engine, fromLeadId, intoUserId);
  }
  advanceClock(ms: number): void {
    if (!Number.isFinite(ms)) throw new SandboxInputError(`advanceClock needs a finite number of ms, got ${String(ms)}`);
    this.clockOffset += ms;
  }
  defineAttributes(attributes: readonly DataAttribute[]): void {
    const byName = new Map(this.opts.dataAttributes.map((a) => [a.full_name, a]));
    for (const a of attributes) byName.set(a.full_name, a);
    const next = [...byName.values()];
    checkAttributes(next);
    this.opts.dataAttributes = next;
  }
  dataAttributes(): DataAttribute[] {
    return structuredClone(this.opts.dataAttributes);
  }
  loadNdjson(text: string, o?: { append?: boolean }): number {
    return people.loadNdjson(this.engine, text, o?.append ?? false);
  }
  dumpNdjson(): string {
    return people.dumpNdjson(this.engine);
  }
  faults(): FaultOptions | undefined {
    return this.injector.get();
  }
  setFaults(f: FaultOptions | undefined): void {
    this.injector.set(f);
  }
  stats(): SandboxStats {
    return this.statsRec.snapshot();
  }
  resetStats(): void {
    this.statsRec.reset();
  }
  drainWebhooks(): Promise<void> {
    return this.webhooks.drain();
  }

  configure(patch: SandboxConfigPatch): void {
    if (typeof patch !== 'object' || patch === null) throw new SandboxInputError('config must be an object');
    if (patch.rateLimit !== undefined) {
      const rl = checkRateLimit(patch.rateLimit);
      this.opts.rateLimit = rl;
      this.limiter = { limiter: new WindowLimiter(rl), opts: rl };
    }
    if (patch.searchDelayMs !== undefined) this.opts.searchDelayMs = checkSearchDelay(patch.searchDelayMs);
    if (patch.customAttributesMode !== undefined) this.opts.customAttributesMode = checkMode(patch.customAttributesMode);
    if (patch.webhook !== undefined) {
      this.opts.webhook = patch.webhook ?? undefined;
      this.webhooks.subscribe(this.opts.webhook);
    }
  }
}

/** Starts the sandbox on `opts.port` (0 = a free port) and resolves once it listens. */
export async function startIntercomSandbox(opts: Partial<IntercomSandboxOptions> = {}): Promise<IntercomSandbox> {
  const sb = new IntercomSandboxImpl(resolveOptions(opts));
  await sb.listen();
  return sb;
}
