// startIntercomSandbox: a real HTTP server (node:http) that behaves like the parts of the
// Intercom REST API 2.14 peoplesync uses, with admin controls for tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { IcContact } from '../../connectors/types.ts';
import { handleAdmin } from './admin-routes.ts';
import { handleApi } from './api-routes.ts';
import { assertTimeZone } from './calendar.ts';
import { defaultDataAttributes } from './data-attributes.ts';
import { IntercomEngine } from './engine.ts';
import { SandboxInputError } from './errors.ts';
import { FaultInjector } from './faults.ts';
import { assertRateLimit, WindowLimiter } from './rate-limit.ts';
import { StatsRecorder } from './stats.ts';
import type {
  ContactCounts,
  FaultOptions,
  IntercomSandboxOptions,
  RateLimitOptions,
  SandboxConfigPatch,
  SandboxStats,
  UserChange,
} from './types.ts';
import { WebhookSender } from './webhooks.ts';

export interface IntercomSandbox {
  /** Base URL, e.g. http://127.0.0.1:43121 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
  getContact(id: string): IcContact | undefined;
  contacts(): IcContact[];
  counts(): ContactCounts;
  /** Creates contacts from partial records; with notify, fires `contact.*.created` webhooks. */
  createContacts(partials: Iterable<Partial<IcContact>>, opts?: { notify?: boolean }): IcContact[];
  /** Adds complete contacts (e.g. from the data generator), visible to search at once. */
  seed(contacts: Iterable<IcContact>): number;
  /** Changes a contact as a person would: bumps updated_at, fires webhooks. */
  userChange(id: string, change: UserChange): IcContact;
  loadNdjson(text: string, opts?: { append?: boolean }): number;
  dumpNdjson(): string;
  faults(): FaultOptions | undefined;
  setFaults(faults: FaultOptions | undefined): void;
  configure(patch: SandboxConfigPatch): void;
  stats(): SandboxStats;
  resetStats(): void;
  /** Resolves when every webhook delivery in flight has finished. */
  drainWebhooks(): Promise<void>;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 1666, windowMs: 10_000 };

function resolveOptions(partial: Partial<IntercomSandboxOptions>): IntercomSandboxOptions {
  const opts: IntercomSandboxOptions = {
    port: 0,
    host: '127.0.0.1',
    token: 'sandbox-token',
    workspaceId: 'sandbox1',
    rateLimit: DEFAULT_RATE_LIMIT,
    searchDelayMs: 0,
    timeZone: 'UTC',
    customAttributesMode: 'merge',
    dataAttributes: defaultDataAttributes(),
    seed: 1,
    now: Date.now,
    ...partial,
  };
  if (typeof opts.token !== 'string' || opts.token === '') throw new SandboxInputError('token must be a non-empty string');
  if (!(opts.searchDelayMs >= 0)) throw new SandboxInputError(`searchDelayMs must be >= 0, got ${opts.searchDelayMs}`);
  if (opts.customAttributesMode !== 'merge' && opts.customAttributesMode !== 'replace') {
    throw new SandboxInputError(`customAttributesMode must be merge or replace, got ${JSON.stringify(opts.customAttributesMode)}`);
  }
  if (opts.rateLimit) assertRateLimit(opts.rateLimit);
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
  private limiter: { limiter: WindowLimiter; opts: RateLimitOptions } | undefined;
  private readonly sockets = new Set<Socket>();
  readonly server: Server;

  constructor(private readonly opts: IntercomSandboxOptions) {
    this.webhooks = new WebhookSender(
      () => this.opts.webhook,
      (o) => this.statsRec.webhook(o.delivered),
    );
    this.engine = new IntercomEngine(opts, this.webhooks);
    this.injector = new FaultInjector(opts.seed, opts.faults);
    this.setRateLimit(opts.rateLimit);
    if (opts.contacts) this.engine.seed(opts.contacts);
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

  private setRateLimit(rl: RateLimitOptions | false): void {
    if (rl) assertRateLimit(rl);
    this.opts.rateLimit = rl;
    this.limiter = rl ? { limiter: new WindowLimiter(rl), opts: rl } : undefined;
  }

  getContact(id: string): IcContact | undefined {
    return this.engine.store.get(id);
  }
  contacts(): IcContact[] {
    return this.engine.store.all();
  }
  counts(): ContactCounts {
    return this.engine.store.counts();
  }
  createContacts(partials: Iterable<Partial<IcContact>>, o?: { notify?: boolean }): IcContact[] {
    return this.engine.createContacts(partials, o?.notify ?? false);
  }
  seed(contacts: Iterable<IcContact>): number {
    return this.engine.seed(contacts);
  }
  userChange(id: string, change: UserChange): IcContact {
    return this.engine.userChange(id, change);
  }
  loadNdjson(text: string, o?: { append?: boolean }): number {
    return this.engine.loadNdjson(text, o?.append ?? false);
  }
  dumpNdjson(): string {
    return this.engine.dumpNdjson();
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
    if (patch.rateLimit !== undefined) this.setRateLimit(patch.rateLimit);
    if (patch.searchDelayMs !== undefined) {
      if (!(patch.searchDelayMs >= 0)) throw new SandboxInputError(`searchDelayMs must be >= 0, got ${patch.searchDelayMs}`);
      this.opts.searchDelayMs = patch.searchDelayMs;
    }
    if (patch.customAttributesMode !== undefined) {
      if (patch.customAttributesMode !== 'merge' && patch.customAttributesMode !== 'replace') {
        throw new SandboxInputError(`customAttributesMode must be merge or replace, got ${JSON.stringify(patch.customAttributesMode)}`);
      }
      this.opts.customAttributesMode = patch.customAttributesMode;
    }
    if (patch.webhook !== undefined) this.opts.webhook = patch.webhook ?? undefined;
  }
}

/** Starts the sandbox on `opts.port` (0 = a free port) and resolves once it listens. */
export async function startIntercomSandbox(opts: Partial<IntercomSandboxOptions> = {}): Promise<IntercomSandbox> {
  const sb = new IntercomSandboxImpl(resolveOptions(opts));
  await sb.listen();
  return sb;
}
