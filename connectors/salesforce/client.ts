// The Salesforce connector on jsforce: keyset reads, change polling, look-ups by Id, describe,
// sObject Collections updates (one chunk per object, per-record retry of lock failures, a call
// refused for one field named as such), and limits. Every HTTP call is reported to onCall; every
// failure leaves as a typed connector error without secrets.

import { Connection, OAuth2, type HttpRequest, type HttpResponse, type TokenResponse } from 'jsforce';
import { ConnectorError, FieldRefusedError } from '../errors.ts';
import { fieldRefusal } from '../../protocol/index.ts';
import type { ApiCallReport, SfDescribe, SfObject, SfRecord, SfRecordResult, SfRecordUpdate } from '../types.ts';
import { checkAuth, runGrant, type Session } from './auth.ts';
import { Redactor, toConnectorError } from './error-map.ts';
import { mapDescribe, mapLimits, checkUpdates, type RawDescribe } from './mapping.ts';
import { backoffDelay, resolveRetry, sleep, withRetry } from './retry.ts';
import { groupedOrder, locateRefusal, updateBodyText, type ValueSpan } from './refusal.ts';
import { idsQuery, keysetQuery } from './soql-builder.ts';
import { CompositeReads, checked, columnRefusalOf } from './changes.ts';
import { type ChangeEventOptions, type ChangeSubscription, subscribeChangeEvents } from './streaming.ts';
import { CONTEXT_KEY, instrumentTransport, parseLimitInfo, type CallContext, type CallKind } from './transport.ts';
import type {
  RetryPolicy,
  SalesforceClient,
  SalesforceClientOptions,
  SfChangeRequest,
  SfChangesTogether,
  SfLimits,
  SfLookup,
  SfPage,
} from './types.ts';

export const MAX_UPDATE_BATCH = 200;
const DEFAULT_VERSION = '62.0';

interface QueryResult {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown>>;
}

function checkObject(object: string): SfObject {
  if (object !== 'Lead' && object !== 'Contact') {
    throw new ConnectorError(`Salesforce object must be Lead or Contact, got ${JSON.stringify(object)}`, {
      kind: 'invalid',
      system: 'salesforce',
      code: 'INVALID_ARGUMENT',
    });
  }
  return object;
}

function strip(r: Record<string, unknown>): SfRecord {
  const { attributes: _attributes, ...rest } = r;
  return rest as SfRecord;
}

function positiveInt(v: number | undefined, fallback: number, name: string, max = Infinity): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new Error(`Salesforce client: ${name} must be an integer in [1, ${max}], got ${String(v)}`);
  return n;
}

export class SalesforceClientImpl implements SalesforceClient {
  private conn?: Connection;
  private connecting?: Promise<Connection>;
  private readonly redactor = new Redactor();
  private readonly oauth2?: OAuth2;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly idsPerQuery: number;
  private readonly version: string;
  /** A renewal happened and no call has been accepted since: a second 401 means the grant's
   * sessions are refused, so renewing again would loop. */
  private renewedUnconfirmed = false;
  private sessionUserId: string | null = null;
  private lastRenewalError?: ConnectorError;

  constructor(private readonly opts: SalesforceClientOptions) {
    checkAuth(opts.auth);
    this.version = opts.apiVersion ?? DEFAULT_VERSION;
    if (!/^\d+\.\d$/.test(this.version)) throw new Error(`Salesforce client: apiVersion must look like 62.0, got ${this.version}`);
    this.retry = resolveRetry(opts.retry);
    this.timeoutMs = positiveInt(opts.timeoutMs, 30_000, 'timeoutMs');
    this.pageSize = positiveInt(opts.pageSize, 2000, 'pageSize', 2000);
    this.idsPerQuery = positiveInt(opts.idsPerQuery, 200, 'idsPerQuery', 800);
    const auth = opts.auth;
    if (auth.kind === 'token') this.redactor.add(auth.accessToken);
    else {
      if (auth.kind === 'client_credentials') this.redactor.add(auth.clientSecret);
      if (auth.kind === 'jwt' && typeof auth.privateKey === 'string') this.redactor.add(auth.privateKey.trim());
      this.oauth2 = new OAuth2({
        loginUrl: auth.loginUrl.replace(/\/$/, ''),
        clientId: auth.kind === 'client_credentials' ? auth.clientId : undefined,
        clientSecret: auth.kind === 'client_credentials' ? auth.clientSecret : undefined,
      });
      instrumentTransport(this.oauth2._transport, 'auth', this.hooks);
    }
  }

  /** Reads of several queries in one call: the helper makes the calls through `call`. */
  private readonly composite = new CompositeReads({
    version: () => this.version,
    pageSize: () => this.pageSize,
    redactor: this.redactor,
    post: (body, ctx) =>
      withRetry(this.retry, () =>
        this.call<unknown>(
          'query',
          'composite read',
          { method: 'POST', url: '/composite', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
          ctx,
        ),
      ),
    nextPage: async (url) => (await this.get('query', 'query next page', url)) as QueryResult,
  });

  private readonly hooks = {
    timeoutMs: 0,
    onResponse: (kind: CallKind, res: HttpResponse | undefined) => {
      if (res && kind !== 'auth' && res.statusCode !== 401) this.renewedUnconfirmed = false;
      this.report(kind, res);
    },
  };

  private report(kind: CallKind, res: HttpResponse | undefined): void {
    const info = parseLimitInfo(res?.headers?.['sforce-limit-info']);
    const report: ApiCallReport = {
      system: 'salesforce',
      kind,
      calls: 1,
      ok: res !== undefined && res.statusCode < 400,
      at: Date.now(),
      ...(info ? { orgUsed: info.used, orgMax: info.max } : {}),
    };
    try {
      this.opts.onCall?.(report);
    } catch {
      // A listener's failure must not turn a successful call into a failed one.
    }
  }

  connect(): Promise<void> {
    return this.connection().then(() => undefined);
  }

  private connection(): Promise<Connection> {
    if (this.conn) return Promise.resolve(this.conn);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Connection> {
    this.hooks.timeoutMs = this.timeoutMs;
    const auth = this.opts.auth;
    const session: Session =
      auth.kind === 'token'
        ? { accessToken: auth.accessToken, instanceUrl: auth.instanceUrl.replace(/\/$/, '') }
        : await withRetry(this.retry, () => runGrant(auth, this.oauth2 as OAuth2, this.redactor));
    this.sessionUserId = session.userId ?? null;
    const conn = new Connection({
      instanceUrl: session.instanceUrl,
      accessToken: session.accessToken,
      version: this.version,
      refreshFn:
        auth.kind === 'token'
          ? undefined
          : (c, callback) => {
              this.renew(c).then(
                (s) => callback(null, s.accessToken),
                (e: Error) => callback(e),
              );
            },
    });
    instrumentTransport(conn._transport, 'query', this.hooks);
    this.conn = conn;
    return conn;
  }

  private async renew(conn: Connection): Promise<Session & Partial<TokenResponse>> {
    const auth = this.opts.auth;
    if (auth.kind === 'token')
      throw new ConnectorError('Salesforce session expired and a fixed token cannot be renewed', {
        kind: 'auth',
        system: 'salesforce',
        code: 'INVALID_SESSION_ID',
        status: 401,
      });
    if (this.renewedUnconfirmed) {
      this.renewedUnconfirmed = false;
      this.lastRenewalError = new ConnectorError('Salesforce refused a session it had just granted', {
        kind: 'auth',
        system: 'salesforce',
        code: 'INVALID_SESSION_ID',
        status: 401,
      });
      throw this.lastRenewalError;
    }
    try {
      const s = await withRetry(this.retry, () => runGrant(auth, this.oauth2 as OAuth2, this.redactor));
      conn.instanceUrl = s.instanceUrl;
      this.renewedUnconfirmed = true;
      return s;
    } catch (err) {
      this.lastRenewalError = toConnectorError(err, 'session renewal', undefined, this.redactor);
      throw this.lastRenewalError;
    }
  }

  /** One logical request through jsforce (which may renew the session and repeat it). */
  private async call<T>(kind: CallKind, what: string, req: HttpRequest, ctx: CallContext = { kind }): Promise<T> {
    const conn = await this.connection();
    let timer: NodeJS.Timeout | undefined;
    // jsforce's timeout covers the wait for headers only; this also bounds a stalled body.
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ConnectorError(`Salesforce ${what} timed out`, { kind: 'transient', system: 'salesforce', code: 'TIMEOUT' })),
        2 * this.timeoutMs + 1000,
      );
    });
    try {
      return await Promise.race([conn.request<T>(req, { [CONTEXT_KEY]: ctx }), stalled]);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('Unable to refresh session') && this.lastRenewalError) {
        const typed = this.lastRenewalError;
        this.lastRenewalError = undefined;
        throw typed;
      }
      throw toConnectorError(err, what, ctx.status, this.redactor);
    } finally {
      clearTimeout(timer);
    }
  }

  private get(kind: CallKind, what: string, url: string): Promise<unknown> {
    return withRetry(this.retry, () => this.call(kind, what, { method: 'GET', url }));
  }

  private async query(soql: string): Promise<SfRecord[]> {
    let page: QueryResult;
    try {
      page = (await this.get('query', 'query', `/query?q=${encodeURIComponent(soql)}`)) as QueryResult;
    } catch (err) {
      throw columnRefusalOf(err) ?? err;
    }
    const out = page.records.map(strip);
    while (!page.done && page.nextRecordsUrl) {
      page = (await this.get('query', 'query next page', page.nextRecordsUrl)) as QueryResult;
      for (const r of page.records) out.push(strip(r));
    }
    return out;
  }

  async readPage(object: SfObject, fields: readonly string[], opts: { afterId?: string; limit?: number } = {}): Promise<SfPage> {
    const limit = opts.limit ?? this.pageSize;
    const soql = checked(this.redactor, () => keysetQuery(checkObject(object), fields, opts.afterId, limit));
    const records = await this.query(soql);
    return { records, lastId: records.length ? records[records.length - 1].Id : null, done: records.length < limit };
  }

  async *scan(object: SfObject, fields: readonly string[], opts: { afterId?: string; pageSize?: number } = {}): AsyncGenerator<SfRecord[]> {
    let afterId = opts.afterId;
    for (;;) {
      const page = await this.readPage(object, fields, { afterId, limit: opts.pageSize ?? this.pageSize });
      if (page.records.length) yield page.records;
      if (page.done || page.lastId === null) return;
      afterId = page.lastId;
    }
  }

  /** SELECT COUNT() FROM object: the number of records, in one call. */
  async count(object: SfObject): Promise<number> {
    const soql = `SELECT COUNT() FROM ${checkObject(object)}`;
    const answer = (await this.get('query', 'count', `/query?q=${encodeURIComponent(soql)}`)) as QueryResult;
    return answer.totalSize;
  }

  readChangesTogether(reqs: readonly SfChangeRequest[]): Promise<SfChangesTogether> {
    for (const r of reqs) checkObject(r.object);
    return this.composite.changes(reqs);
  }

  readTogether(lookups: readonly SfLookup[]): Promise<SfRecord[][]> {
    for (const l of lookups) checkObject(l.object);
    return this.composite.lookups(lookups);
  }

  async subscribeChanges(opts: ChangeEventOptions): Promise<ChangeSubscription> {
    const conn = await this.connection();
    return subscribeChangeEvents(conn, opts, async () => {
      conn.accessToken = (await this.renew(conn)).accessToken;
    });
  }

  async userId(): Promise<string | null> {
    await this.connection();
    return this.sessionUserId;
  }

  async readByIds(object: SfObject, fields: readonly string[], ids: readonly string[]): Promise<SfRecord[]> {
    checkObject(object);
    const unique = [...new Set(ids)];
    const out: SfRecord[] = [];
    for (let i = 0; i < unique.length; i += this.idsPerQuery) {
      const chunk = unique.slice(i, i + this.idsPerQuery);
      out.push(...(await this.query(checked(this.redactor, () => idsQuery(object, fields, chunk)))));
    }
    return out;
  }

  async describe(object: SfObject): Promise<SfDescribe> {
    checkObject(object);
    return mapDescribe((await this.get('describe', 'describe', `/sobjects/${object}/describe`)) as RawDescribe);
  }

  async limits(): Promise<SfLimits> {
    return mapLimits(await this.get('limits', 'limits', '/limits'));
  }

  async update(updates: readonly SfRecordUpdate[]): Promise<SfRecordResult[]> {
    checked(this.redactor, () => checkUpdates(updates, MAX_UPDATE_BATCH));
    const results: SfRecordResult[] = new Array(updates.length);
    // Records grouped by object: a call takes at most 10 chunks (runs of one type).
    let pending = groupedOrder(updates);
    for (let attempt = 1; pending.length; attempt++) {
      const sent = pending.map((i) => updates[i]);
      const body = updateBodyText(sent);
      const send = () =>
        withRetry(this.retry, () =>
          this.call<unknown>('update', 'update', {
            method: 'PATCH',
            url: '/composite/sobjects',
            body: body.text,
            headers: { 'content-type': 'application/json' },
          }),
        );
      let answer: unknown;
      try {
        answer = await send();
      } catch (err) {
        // A later round re-sends only locked records: the others' results are known, so report
        // the locked ones as still locked rather than throwing everything away.
        if (attempt > 1 && err instanceof ConnectorError && err.retryable) break;
        throw refusalOf(err, sent, body.spans) ?? err;
      }
      if (!Array.isArray(answer) || answer.length !== pending.length) {
        throw new ConnectorError('Salesforce update answered with an unexpected shape', {
          system: 'salesforce',
          code: 'UNEXPECTED_RESPONSE',
          kind: 'unknown',
        });
      }
      const locked: number[] = [];
      answer.forEach((raw: { success?: unknown; errors?: SfRecordResult['errors'] }, k) => {
        const i = pending[k];
        const errors = Array.isArray(raw?.errors) ? raw.errors : [];
        results[i] = { id: updates[i].id, success: raw?.success === true, errors };
        if (!results[i].success && errors.length > 0 && errors.every((e) => e.statusCode === 'UNABLE_TO_LOCK_ROW')) locked.push(i);
      });
      if (!locked.length || attempt >= this.retry.attempts) break;
      pending = locked;
      await sleep(backoffDelay(this.retry, attempt));
    }
    return results;
  }
}

/** A whole call refused for one field, as a FieldRefusedError naming it; undefined otherwise. */
function refusalOf(err: unknown, sent: readonly SfRecordUpdate[], spans: readonly ValueSpan[]): FieldRefusedError | undefined {
  const refused = fieldRefusal(err);
  if (!refused) return undefined;
  const at = locateRefusal(refused.code, refused.message, sent, spans);
  if (!at) return undefined;
  return new FieldRefusedError(`Salesforce refused the whole update because of ${at.object}.${at.field}: ${refused.message}`, {
    system: 'salesforce',
    code: refused.code,
    status: refused.status,
    object: at.object,
    field: at.field,
    cause: refused,
  });
}

export function createSalesforceClient(opts: SalesforceClientOptions): SalesforceClient {
  return new SalesforceClientImpl(opts);
}
