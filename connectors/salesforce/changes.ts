// Reading with several queries in one API call: a Composite request whose subrequests are the
// queries (both objects' changes; the look-ups of a batch of changed contacts). "The entire series of requests counts as a single call toward your API limits"
// (API-FACTS "Composite"), so a poll of Leads and Contacts costs one call, not two. A subrequest
// that fails answers inside the composite answer (allOrNone false: the others still run); its
// error is typed like the same query's would be. Pure but for the call passed in.

import { ConnectorError, FieldRefusedError } from '../errors.ts';
import { fieldRefusal } from '../../protocol/index.ts';
import type { SfChangeCursor, SfObject, SfRecord } from '../types.ts';
import type { Redactor } from './error-map.ts';
import { toConnectorError } from './error-map.ts';
import { SoqlBuildError, changesQuery, fieldValuesQuery, idsQuery } from './soql-builder.ts';
import type { CallContext } from './transport.ts';
import type { SfChangePage, SfChangeRequest, SfChangesTogether, SfLookup } from './types.ts';

/** Query subrequests one composite call may carry (the Composite resource's limit). */
export const MAX_COMPOSITE_QUERIES = 5;

interface SubAnswer {
  body: unknown;
  httpStatusCode: number;
  referenceId: string;
}

/** One query of a composite call, named by its reference id. */
export interface NamedQuery {
  ref: string;
  soql: string;
}

export function compositeBody(version: string, queries: readonly NamedQuery[]): Record<string, unknown> {
  if (queries.length === 0 || queries.length > MAX_COMPOSITE_QUERIES) {
    throw new ConnectorError(`a composite read takes 1 to ${MAX_COMPOSITE_QUERIES} queries, got ${queries.length}`, {
      kind: 'invalid',
      system: 'salesforce',
      code: 'INVALID_ARGUMENT',
    });
  }
  if (new Set(queries.map((q) => q.ref)).size !== queries.length) {
    throw new ConnectorError('a composite read names a query twice', { kind: 'invalid', system: 'salesforce', code: 'INVALID_ARGUMENT' });
  }
  return {
    allOrNone: false,
    compositeRequest: queries.map((q) => ({
      method: 'GET',
      url: `/services/data/v${version}/query?q=${encodeURIComponent(q.soql)}`,
      referenceId: q.ref,
    })),
  };
}

/** The change query of each object asked for, named after the object. */
export function changeQueries(reqs: readonly SfChangeRequest[], pageSize: number): NamedQuery[] {
  const seen = new Set<SfObject>();
  return reqs.map((r) => {
    if (seen.has(r.object))
      throw new ConnectorError(`${r.object} is asked for twice`, { kind: 'invalid', system: 'salesforce', code: 'INVALID_ARGUMENT' });
    seen.add(r.object);
    return { ref: r.object, soql: changesQuery(r.object, r.fields, r.cursor, r.limit ?? pageSize) };
  });
}

/** Ids per `Id IN (...)` query, and values per `Field IN (...)` query (emails make long URLs). */
export const IDS_PER_QUERY = 200;
export const VALUES_PER_QUERY = 100;

/** The queries of each look-up (chunked), named `<lookup index>.<chunk>`. */
export function lookupQueries(lookups: readonly SfLookup[]): NamedQuery[] {
  const out: NamedQuery[] = [];
  lookups.forEach((l, i) => {
    const items = [...new Set('ids' in l ? l.ids : l.values)];
    const size = 'ids' in l ? IDS_PER_QUERY : VALUES_PER_QUERY;
    for (let at = 0, n = 0; at < items.length; at += size, n++) {
      const chunk = items.slice(at, at + size);
      const soql = 'ids' in l ? idsQuery(l.object, l.fields, chunk) : fieldValuesQuery(l.object, l.fields, l.field, chunk);
      out.push({ ref: `${i}.${n}`, soql });
    }
  });
  return out;
}

/** Composite calls the look-ups take: their queries, five to a call. */
export function lookupCalls(lookups: readonly SfLookup[]): number {
  let queries = 0;
  for (const l of lookups) {
    const items = new Set('ids' in l ? l.ids : l.values).size;
    queries += Math.ceil(items / ('ids' in l ? IDS_PER_QUERY : VALUES_PER_QUERY));
  }
  return Math.ceil(queries / MAX_COMPOSITE_QUERIES);
}

const NO_COLUMN_IN_QUERY = /No such column '([^']+)' on entity '(\w+)'/;

/** A query refused for a field the object does not have (any more), as a FieldRefusedError. */
export function columnRefusalOf(err: unknown): FieldRefusedError | undefined {
  const refused = fieldRefusal(err);
  if (refused?.code !== 'INVALID_FIELD') return undefined;
  const m = NO_COLUMN_IN_QUERY.exec(refused.message);
  if (!m) return undefined;
  return new FieldRefusedError(`Salesforce refused the query because of ${m[2]}.${m[1]}: ${refused.message}`, {
    system: 'salesforce',
    code: refused.code,
    status: refused.status,
    object: m[2],
    field: m[1],
    cause: refused,
  });
}

function strip(r: Record<string, unknown>): SfRecord {
  const { attributes: _attributes, ...rest } = r;
  return rest as SfRecord;
}

function unexpected(what: string): ConnectorError {
  return new ConnectorError(`Salesforce composite read answered ${what}`, {
    system: 'salesforce',
    code: 'UNEXPECTED_RESPONSE',
    kind: 'unknown',
  });
}

/** What one subrequest read: its records, and where the rest are when the service cut the page. */
export interface SubPage {
  records: SfRecord[];
  next?: string;
}

/** The records each query read; the first failed subrequest throws, typed. */
export function subPagesOf(answer: unknown, queries: readonly NamedQuery[], redactor: Redactor): Map<string, SubPage> {
  const subs = (answer as { compositeResponse?: unknown } | null)?.compositeResponse;
  if (!Array.isArray(subs) || subs.length !== queries.length) throw unexpected('with an unexpected shape');
  const out = new Map<string, SubPage>();
  for (const q of queries) {
    const sub = (subs as SubAnswer[]).find((s) => s?.referenceId === q.ref);
    if (!sub) throw unexpected(`without the ${q.ref} subrequest`);
    if (sub.httpStatusCode >= 300) {
      const first = (Array.isArray(sub.body) ? sub.body[0] : sub.body) as { errorCode?: string; message?: string } | undefined;
      const err = Object.assign(new Error(first?.message ?? `subrequest answered ${sub.httpStatusCode}`), { errorCode: first?.errorCode });
      const typed = toConnectorError(err, `query ${q.ref}`, sub.httpStatusCode, redactor);
      throw columnRefusalOf(typed) ?? typed;
    }
    const body = sub.body as { records?: unknown; done?: unknown; nextRecordsUrl?: unknown } | null;
    if (!body || !Array.isArray(body.records)) throw unexpected(`a ${q.ref} page without records`);
    const next = body.done === false && typeof body.nextRecordsUrl === 'string' ? body.nextRecordsUrl : undefined;
    out.set(q.ref, { records: (body.records as Record<string, unknown>[]).map(strip), ...(next ? { next } : {}) });
  }
  return out;
}

/** A change page from everything one query read. */
export function changePage(records: SfRecord[], req: SfChangeRequest, pageSize: number): SfChangePage {
  const last = records[records.length - 1];
  return {
    records,
    cursor: last ? ({ modstamp: String(last.SystemModstamp), id: last.Id } satisfies SfChangeCursor) : req.cursor,
    done: records.length < (req.limit ?? pageSize),
  };
}

/** Epoch ms of an HTTP Date header (whole seconds), or null. */
export function serverTimeOf(date: string | undefined): number | null {
  if (!date) return null;
  const ms = Date.parse(date);
  return Number.isFinite(ms) ? ms : null;
}

interface Page {
  records: Array<Record<string, unknown>>;
  done: boolean;
  nextRecordsUrl?: string;
}

export interface CompositeCaller {
  version(): string;
  pageSize(): number;
  redactor: Redactor;
  /** POST /composite with this body, one call; `ctx` hears the answer's Date. */
  post(body: Record<string, unknown>, ctx: CallContext): Promise<unknown>;
  nextPage(url: string): Promise<Page>;
}

/** The client's reads of several queries a call. */
export class CompositeReads {
  constructor(private readonly c: CompositeCaller) {}

  async changes(reqs: readonly SfChangeRequest[]): Promise<SfChangesTogether> {
    const read = await this.run(checked(this.c.redactor, () => changeQueries(reqs, this.c.pageSize())));
    const pages: SfChangesTogether['pages'] = {};
    for (const r of reqs) pages[r.object] = changePage(read.records.get(r.object) ?? [], r, this.c.pageSize());
    return { pages, serverTime: read.serverTime };
  }

  async lookups(lookups: readonly SfLookup[]): Promise<SfRecord[][]> {
    const queries = checked(this.c.redactor, () => lookupQueries(lookups));
    const groups: NamedQuery[][] = [];
    for (let i = 0; i < queries.length; i += MAX_COMPOSITE_QUERIES) groups.push(queries.slice(i, i + MAX_COMPOSITE_QUERIES));
    const reads = await Promise.all(groups.map((g) => this.run(g)));
    const out: SfRecord[][] = lookups.map(() => []);
    for (const read of reads) for (const [ref, records] of read.records) out[Number(ref.split('.')[0])].push(...records);
    return out;
  }

  /** One composite call of at most 5 queries; a page the service cut short goes on as any query's
   * does, a call a page. */
  private async run(queries: NamedQuery[]): Promise<{ records: Map<string, SfRecord[]>; serverTime: number | null }> {
    const body = checked(this.c.redactor, () => compositeBody(this.c.version(), queries));
    const ctx: CallContext = { kind: 'query' };
    const answer = await this.c.post(body, ctx);
    const records = new Map<string, SfRecord[]>();
    for (const [ref, sub] of subPagesOf(answer, queries, this.c.redactor)) {
      for (let next = sub.next; next;) {
        const more = await this.c.nextPage(next);
        for (const rec of more.records) sub.records.push(strip(rec));
        next = more.done ? undefined : more.nextRecordsUrl;
      }
      records.set(ref, sub.records);
    }
    return { records, serverTime: serverTimeOf(ctx.date) };
  }
}

/** Runs an input check; its complaint quotes the input, which might be a secret pasted into the
 * wrong place, so the message is redacted too. */
export function checked<T>(redactor: Redactor, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof SoqlBuildError || (err instanceof ConnectorError && err.kind === 'invalid')) {
      throw new ConnectorError(redactor.redact(err.message), { kind: 'invalid', system: 'salesforce', code: 'INVALID_ARGUMENT' });
    }
    throw err;
  }
}
