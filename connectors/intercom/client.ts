// The Intercom connector over the official SDK (intercom-client 7): the SDK builds the requests
// and parses the answers; this layer adds the shared pacer, bounded retries, typed errors and
// keep-alive connections (an undici Agent handed to the SDK as its fetch).
import { IntercomClient as SdkClient, IntercomError, IntercomTimeoutError } from 'intercom-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { type ConnectorError, RateLimitedError, TransientError } from '../errors.ts';
import type { IcContact, IcContactPatch, IcDataAttribute, IcPage, IcSearchQuery } from '../types.ts';
import {
  checkId, checkPerPage, freshOnly, MAX_PER_PAGE, patchBody, toIcContact, toIcDataAttributes, toIcPage, updatedSinceQuery,
} from './convert.ts';
import { errorForStatus, errorForTransport } from './error-map.ts';
import { RatePacer, readRateHeaders, type RateHeaders } from './pacer.ts';
import type { IntercomClient, IntercomClientOptions, IntercomLogger, RateLimitState } from './types.ts';

type SdkRequestOptions = { timeoutInSeconds: number; maxRetries: 0; abortSignal: AbortSignal };
type HeadersLike = { get(name: string): string | null };
interface Answer<T> { data: T; headers: HeadersLike }
type Send<T> = (ro: SdkRequestOptions) => Promise<Answer<T>>;
type Failure = { ok: false; error: ConnectorError; rate: RateHeaders };
type Outcome<T> = { ok: true; data: T; rate: RateHeaders } | Failure;

const SILENT: IntercomLogger = { debug: () => {}, warn: () => {} };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function createIntercomClient(opts: IntercomClientOptions): IntercomClient {
  return new IntercomClientImpl(opts);
}

class IntercomClientImpl implements IntercomClient {
  private readonly sdk: SdkClient;
  private readonly agent: Agent;
  private readonly pacer: RatePacer;
  private readonly pacing: boolean;
  private readonly log: IntercomLogger;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly transientRetries: number;
  private readonly rateLimitRetries: number;
  private readonly backoffMs: number;

  constructor(opts: IntercomClientOptions) {
    if (typeof opts.baseUrl !== 'string' || !/^https?:\/\//.test(opts.baseUrl)) {
      throw new TypeError(`baseUrl must be an http(s) URL, got ${JSON.stringify(opts.baseUrl)}`);
    }
    if (typeof opts.token !== 'string' || opts.token === '') throw new TypeError('token must be a non-empty string');
    if (opts.version !== undefined && opts.version !== '2.14') throw new TypeError(`version must be '2.14', got ${JSON.stringify(opts.version)}`);
    this.token = opts.token;
    this.pacing = opts.pacing ?? true;
    this.pacer = opts.pacer ?? new RatePacer();
    this.log = opts.logger ?? SILENT;
    this.transientRetries = opts.transientRetries ?? 2;
    this.rateLimitRetries = opts.rateLimitRetries ?? 5;
    this.backoffMs = opts.backoffMs ?? 250;
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    if (!(this.timeoutMs > 0)) throw new TypeError(`timeoutMs must be > 0, got ${opts.timeoutMs}`);
    this.agent = new Agent({ connections: opts.connections ?? 16, keepAliveTimeout: 30_000 });
    const agent = this.agent;
    const fetchWithAgent = ((input: string, init?: object) =>
      undiciFetch(input, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
    this.sdk = new SdkClient({
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
      token: opts.token,
      version: '2.14',
      // Retries are ours: the SDK's own would retry 429s blindly, outside the shared pacer.
      maxRetries: 0,
      fetch: fetchWithAgent,
    });
  }

  async listContactsPage(cursor?: string, perPage = MAX_PER_PAGE): Promise<IcPage> {
    checkPerPage(perPage);
    const raw = await this.call('GET /contacts', async (ro) => {
      const page = await this.sdk.contacts.list({ per_page: perPage, ...(cursor ? { starting_after: cursor } : {}) }, ro);
      return { data: page.response as unknown, headers: page.rawResponse.headers };
    });
    return toIcPage(raw);
  }

  async searchContacts(query: IcSearchQuery, cursor?: string, perPage = MAX_PER_PAGE): Promise<IcPage> {
    checkPerPage(perPage);
    const request = {
      query: query as Parameters<SdkClient['contacts']['search']>[0]['query'],
      pagination: { per_page: perPage, ...(cursor ? { starting_after: cursor } : {}) },
    };
    const raw = await this.call('POST /contacts/search', async (ro) => {
      const page = await this.sdk.contacts.search(request, ro);
      return { data: page.response as unknown, headers: page.rawResponse.headers };
    });
    return toIcPage(raw);
  }

  async *searchUpdatedSince(unixSeconds: number, perPage = MAX_PER_PAGE): AsyncGenerator<IcContact[], void, undefined> {
    const query = updatedSinceQuery(unixSeconds);
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.searchContacts(query, cursor, perPage);
      const fresh = freshOnly(page.contacts, unixSeconds, seen);
      if (fresh.length) yield fresh;
      cursor = page.next;
    } while (cursor);
  }

  async getContact(id: string): Promise<IcContact> {
    checkId(id);
    const raw = await this.call('GET /contacts/{id}', async (ro) => {
      const r = await this.sdk.contacts.find({ contact_id: id }, ro).withRawResponse();
      return { data: r.data as unknown, headers: r.rawResponse.headers };
    });
    return toIcContact(raw);
  }

  async updateContact(id: string, patch: IcContactPatch): Promise<IcContact> {
    checkId(id);
    const body = patchBody(patch);
    const raw = await this.call('PUT /contacts/{id}', async (ro) => {
      const request = { contact_id: id, ...body } as Parameters<SdkClient['contacts']['update']>[0];
      const r = await this.sdk.contacts.update(request, ro).withRawResponse();
      return { data: r.data as unknown, headers: r.rawResponse.headers };
    });
    return toIcContact(raw);
  }

  async listDataAttributes(): Promise<IcDataAttribute[]> {
    const raw = await this.call('GET /data_attributes', async (ro) => {
      const r = await this.sdk.dataAttributes.list({ model: 'contact' }, ro).withRawResponse();
      return { data: r.data as unknown, headers: r.rawResponse.headers };
    });
    return toIcDataAttributes(raw);
  }

  rateLimitState(): RateLimitState {
    return this.pacer.state();
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** One logical call: paced, retried within bounds, failures typed. */
  private async call<T>(op: string, send: Send<T>): Promise<T> {
    let transientLeft = this.transientRetries;
    let rateLimitedLeft = this.rateLimitRetries;
    for (let attempt = 1; ; attempt += 1) {
      if (this.pacing) {
        const { waitedMs } = await this.pacer.acquire();
        if (waitedMs > 0) this.log.debug({ op, waitedMs }, 'intercom call waited for the rate-limit window');
      }
      let outcome: Outcome<T>;
      try {
        outcome = await this.attempt(op, send);
      } catch (unexpected) {
        // Every acquired slot is released, also when the call failed in an unforeseen way.
        if (this.pacing) this.pacer.release();
        throw unexpected;
      }
      if (this.pacing) this.pacer.release(outcome.rate);
      if (outcome.ok) return outcome.data;
      const err = outcome.error;
      if (err instanceof RateLimitedError && this.pacing && rateLimitedLeft > 0) {
        rateLimitedLeft -= 1;
        const waitMs = this.pacer.blockUntilReset(outcome.rate);
        this.log.warn({ op, attempt, waitMs, code: err.code }, 'intercom rate limit hit; waiting for the window reset');
        continue;
      }
      if (err instanceof TransientError && transientLeft > 0) {
        transientLeft -= 1;
        const waitMs = this.backoffMs * 2 ** (this.transientRetries - transientLeft - 1) * (0.8 + Math.random() * 0.4);
        this.log.warn({ op, attempt, waitMs: Math.round(waitMs), code: err.code, status: err.status }, 'intercom call failed transiently; retrying');
        await sleep(waitMs);
        continue;
      }
      throw err;
    }
  }

  private async attempt<T>(op: string, send: Send<T>): Promise<Outcome<T>> {
    // Our own deadline: the SDK aborts its timeout with a string reason, which fetch rethrows
    // as is, so the SDK cannot tell a timeout from other failures; a signal we own can.
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      const answer = await send({ timeoutInSeconds: this.timeoutMs / 1000 + 60, maxRetries: 0, abortSignal: deadline });
      return { ok: true, data: answer.data, rate: readRateHeaders((n) => answer.headers.get(n)) };
    } catch (err) {
      return this.failure(op, err, deadline.aborted);
    }
  }

  private failure(op: string, err: unknown, timedOut: boolean): Failure {
    if (timedOut || err instanceof IntercomTimeoutError) {
      return { ok: false, error: errorForTransport(op, 'timeout', '', this.token), rate: {} };
    }
    if (err instanceof IntercomError && err.statusCode !== undefined) {
      const headers = err.rawResponse?.headers;
      const rate = headers ? readRateHeaders((n) => headers.get(n)) : {};
      const error = errorForStatus({ op, status: err.statusCode, body: err.body, rate, nowMs: Date.now(), secret: this.token, cause: err });
      return { ok: false, error, rate };
    }
    if (err instanceof IntercomError) {
      return { ok: false, error: errorForTransport(op, 'network', err.message.split('\n')[0], this.token, err), rate: {} };
    }
    // Anything else (a bug, an abort) keeps its own type.
    throw err;
  }
}
