// The Intercom connector: input checks, the shared pacer, bounded retries and typed errors over
// a transport (bare undici by default, or the official SDK).
import { ConnectorError } from '../errors.ts';
import { isSystemError } from '../../protocol/index.ts';
import type { IcContact, IcContactPatch, IcDataAttribute, IcPage, IcSearchQuery } from '../types.ts';
import {
  checkId,
  checkPerPage,
  freshOnly,
  MAX_PER_PAGE,
  patchBody,
  toIcContact,
  toIcDataAttributes,
  toIcPage,
  updatedSinceQuery,
} from './convert.ts';
import { errorForStatus, errorForTransport } from './error-map.ts';
import { RatePacer, readRateHeaders, type RateHeaders } from './pacer.ts';
import { SdkTransportError, sdkTransport } from './sdk-transport.ts';
import { endpointOf, type IntercomTransport, type WireCall } from './transport.ts';
import type { IntercomClient, IntercomClientOptions, IntercomLogger, RateLimitState, UpdateOptions } from './types.ts';
import { undiciTransport } from './undici-transport.ts';

const NEWEST_FIRST = { field: 'updated_at', order: 'descending' } as const;

type Outcome = { ok: true; body: unknown; rate: RateHeaders } | { ok: false; error: ConnectorError; rate: RateHeaders };

const SILENT: IntercomLogger = { debug: () => {}, warn: () => {} };

/** No HTTP answer at all: a system error of the fetch transport, or the SDK transport's. */
function isTransportFailure(err: unknown): boolean {
  return err instanceof SdkTransportError || isSystemError(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkOptions(opts: IntercomClientOptions): void {
  if (typeof opts.baseUrl !== 'string' || !/^https?:\/\//.test(opts.baseUrl)) {
    throw new TypeError(`baseUrl must be an http(s) URL, got ${JSON.stringify(opts.baseUrl)}`);
  }
  if (typeof opts.token !== 'string' || opts.token === '') throw new TypeError('token must be a non-empty string');
  if (opts.version !== undefined && opts.version !== '2.14')
    throw new TypeError(`version must be '2.14', got ${JSON.stringify(opts.version)}`);
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) throw new TypeError(`timeoutMs must be > 0, got ${opts.timeoutMs}`);
  if (opts.transport !== undefined && opts.transport !== 'undici' && opts.transport !== 'sdk') {
    throw new TypeError(`transport must be 'undici' or 'sdk', got ${JSON.stringify(opts.transport)}`);
  }
}

export function createIntercomClient(opts: IntercomClientOptions): IntercomClient {
  checkOptions(opts);
  return new IntercomClientImpl(opts);
}

class IntercomClientImpl implements IntercomClient {
  private readonly transport: IntercomTransport;
  private readonly pacer: RatePacer;
  private readonly pacing: boolean;
  private readonly log: IntercomLogger;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly transientRetries: number;
  private readonly rateLimitRetries: number;
  private readonly backoffMs: number;
  private readonly onCall: NonNullable<IntercomClientOptions['onCall']>;

  constructor(opts: IntercomClientOptions) {
    this.onCall = opts.onCall ?? (() => undefined);
    this.token = opts.token;
    this.pacing = opts.pacing ?? true;
    this.pacer = opts.pacer ?? new RatePacer({ maxInFlight: opts.connections ?? 16 });
    this.log = opts.logger ?? SILENT;
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.transientRetries = opts.transientRetries ?? 2;
    this.rateLimitRetries = opts.rateLimitRetries ?? 5;
    this.backoffMs = opts.backoffMs ?? 250;
    const t = { baseUrl: opts.baseUrl, token: opts.token, connections: opts.connections ?? 16 };
    this.transport = opts.transport === 'sdk' ? sdkTransport(t) : undiciTransport(t);
  }

  async listContactsPage(cursor?: string, perPage = MAX_PER_PAGE): Promise<IcPage> {
    return toIcPage(await this.call({ op: 'listContacts', perPage: checkPerPage(perPage), ...(cursor ? { cursor } : {}) }));
  }

  async searchContacts(query: IcSearchQuery, cursor?: string, perPage = MAX_PER_PAGE): Promise<IcPage> {
    return toIcPage(await this.call({ op: 'searchContacts', query, perPage: checkPerPage(perPage), ...(cursor ? { cursor } : {}) }));
  }

  async *searchUpdatedSince(unixSeconds: number, perPage = MAX_PER_PAGE): AsyncGenerator<IcContact[], void, undefined> {
    const wire = {
      op: 'searchContacts' as const,
      query: updatedSinceQuery(unixSeconds),
      perPage: checkPerPage(perPage),
      sort: NEWEST_FIRST,
    };
    const seen = new Set<string>();
    // Newest first: the pages stop mattering at the first contact older than asked, so a poll
    // reads what changed since, not everything updated since the start of the day before. Were
    // the answer ever not in that order, every page is read (as without sorting).
    let ordered = true;
    let newest = Infinity;
    let cursor: string | undefined;
    do {
      const page = toIcPage(await this.call({ ...wire, ...(cursor ? { cursor } : {}) }));
      for (const c of page.contacts) {
        if (c.updated_at > newest) ordered = false;
        newest = c.updated_at;
      }
      const fresh = freshOnly(page.contacts, unixSeconds, seen);
      if (fresh.length) yield fresh;
      if (ordered && page.contacts.length > 0 && newest < unixSeconds) return;
      cursor = page.next;
    } while (cursor);
  }

  async getContact(id: string): Promise<IcContact> {
    return toIcContact(await this.call({ op: 'getContact', id: checkId(id) }));
  }

  async updateContact(id: string, patch: IcContactPatch, opts: UpdateOptions = {}): Promise<IcContact> {
    return toIcContact(await this.call({ op: 'updateContact', id: checkId(id), body: patchBody(patch) }, opts.stillWanted));
  }

  async listDataAttributes(): Promise<IcDataAttribute[]> {
    return toIcDataAttributes(await this.call({ op: 'listDataAttributes' }));
  }

  rateLimitState(): RateLimitState {
    return this.pacer.state();
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  /** One logical call: paced, retried within bounds, failures typed. Every call here is idempotent. */
  private async call(wire: WireCall, stillWanted?: () => Promise<boolean>): Promise<unknown> {
    const op = endpointOf(wire);
    let transientLeft = this.transientRetries;
    let rateLimitedLeft = this.rateLimitRetries;
    for (let attempt = 1; ; attempt += 1) {
      if (this.pacing) {
        const { waitedMs } = await this.pacer.acquire();
        if (waitedMs > 0) this.log.debug({ op, waitedMs }, 'intercom call waited for the rate-limit window');
      }
      // Asked right before each attempt goes out (a paced call may have waited long).
      if (stillWanted && !(await stillWanted().catch(() => true))) {
        if (this.pacing) this.pacer.release();
        throw new ConnectorError(`intercom ${op} withdrawn before it was sent`, {
          kind: 'withdrawn',
          system: 'intercom',
          code: 'WITHDRAWN',
        });
      }
      let outcome: Outcome;
      try {
        outcome = await this.attempt(op, wire);
      } catch (unexpected) {
        if (this.pacing) this.pacer.release();
        throw unexpected;
      }
      if (this.pacing) this.pacer.release(outcome.rate);
      this.onCall({ op, outcome: outcome.ok ? 'ok' : outcome.error.code });
      if (outcome.ok) return outcome.body;
      const err = outcome.error;
      if (err.kind === 'rate_limited' && this.pacing && rateLimitedLeft > 0) {
        rateLimitedLeft -= 1;
        const waitMs = this.pacer.blockUntilReset(outcome.rate);
        this.log.warn({ op, attempt, waitMs, code: err.code }, 'intercom rate limit hit; waiting for the window reset');
        continue;
      }
      if (err.kind === 'transient' && transientLeft > 0) {
        transientLeft -= 1;
        const waitMs = Math.round(this.backoffMs * 2 ** (this.transientRetries - transientLeft - 1) * (0.8 + Math.random() * 0.4));
        this.log.warn({ op, attempt, waitMs, code: err.code, status: err.status }, 'intercom call failed transiently; retrying');
        await sleep(waitMs);
        continue;
      }
      throw err;
    }
  }

  /** Every way a request can end becomes an outcome; only a failure that is not about the
   * network (a bug) is rethrown as is. */
  private async attempt(op: string, wire: WireCall): Promise<Outcome> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      const a = await this.transport.send(wire, deadline);
      const rate = readRateHeaders(a.header);
      if (a.status >= 200 && a.status < 300) return { ok: true, body: a.body, rate };
      return {
        ok: false,
        rate,
        error: errorForStatus({ op, status: a.status, body: a.body, rate, nowMs: Date.now(), secret: this.token }),
      };
    } catch (err) {
      if (!deadline.aborted && !isTransportFailure(err)) throw err;
      const kind = deadline.aborted ? 'timeout' : 'network';
      const detail = kind === 'network' && err instanceof Error ? err.message : '';
      return { ok: false, rate: {}, error: errorForTransport(op, kind, detail, this.token, err) };
    }
  }
}
