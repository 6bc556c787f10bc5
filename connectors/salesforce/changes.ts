// Reading several objects' changes in one API call: a Composite request whose subrequests are the
// change queries. "The entire series of requests counts as a single call toward your API limits"
// (API-FACTS "Composite"), so a poll of Leads and Contacts costs one call, not two. A subrequest
// that fails answers inside the composite answer (allOrNone false: the others still run); its
// error is typed like the same query's would be. Pure but for the call passed in.

import { ConnectorError, FieldRefusedError, ValidationError } from '../errors.ts';
import type { SfChangeCursor, SfObject, SfRecord } from '../types.ts';
import type { Redactor } from './error-map.ts';
import { toConnectorError } from './error-map.ts';
import { changesQuery } from './soql-builder.ts';
import type { SfChangePage, SfChangeRequest } from './types.ts';

/** Query subrequests one composite call may carry (the Composite resource's limit). */
export const MAX_COMPOSITE_QUERIES = 5;

interface SubAnswer {
  body: unknown;
  httpStatusCode: number;
  referenceId: string;
}

export function compositeBody(version: string, reqs: readonly SfChangeRequest[], pageSize: number): Record<string, unknown> {
  if (reqs.length === 0 || reqs.length > MAX_COMPOSITE_QUERIES) {
    throw new ValidationError(`a composite read takes 1 to ${MAX_COMPOSITE_QUERIES} objects, got ${reqs.length}`, {
      system: 'salesforce',
      code: 'INVALID_ARGUMENT',
    });
  }
  const seen = new Set<SfObject>();
  return {
    allOrNone: false,
    compositeRequest: reqs.map((r) => {
      if (seen.has(r.object))
        throw new ValidationError(`${r.object} is asked for twice`, { system: 'salesforce', code: 'INVALID_ARGUMENT' });
      seen.add(r.object);
      const soql = changesQuery(r.object, r.fields, r.cursor, r.limit ?? pageSize);
      return { method: 'GET', url: `/services/data/v${version}/query?q=${encodeURIComponent(soql)}`, referenceId: r.object };
    }),
  };
}

const NO_COLUMN_IN_QUERY = /No such column '([^']+)' on entity '(\w+)'/;

/** A query refused for a field the object does not have (any more), as a FieldRefusedError. */
export function columnRefusalOf(err: unknown): FieldRefusedError | undefined {
  if (!(err instanceof ValidationError) || err.code !== 'INVALID_FIELD') return undefined;
  const m = NO_COLUMN_IN_QUERY.exec(err.message);
  if (!m) return undefined;
  return new FieldRefusedError(`Salesforce refused the query because of ${m[2]}.${m[1]}: ${err.message}`, {
    system: 'salesforce',
    code: err.code,
    status: err.status,
    object: m[2],
    field: m[1],
    cause: err,
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
    retryable: false,
  });
}

/** What one subrequest read: its records, and where the rest are when the service cut the page. */
export interface SubPage {
  records: SfRecord[];
  next?: string;
}

/** The records each object's query read; the first failed subrequest throws, typed. */
export function subPagesOf(answer: unknown, reqs: readonly SfChangeRequest[], redactor: Redactor): Map<SfObject, SubPage> {
  const subs = (answer as { compositeResponse?: unknown } | null)?.compositeResponse;
  if (!Array.isArray(subs) || subs.length !== reqs.length) throw unexpected('with an unexpected shape');
  const out = new Map<SfObject, SubPage>();
  for (const r of reqs) {
    const sub = (subs as SubAnswer[]).find((s) => s?.referenceId === r.object);
    if (!sub) throw unexpected(`without the ${r.object} subrequest`);
    if (sub.httpStatusCode >= 300) {
      const first = (Array.isArray(sub.body) ? sub.body[0] : sub.body) as { errorCode?: string; message?: string } | undefined;
      const err = Object.assign(new Error(first?.message ?? `subrequest answered ${sub.httpStatusCode}`), { errorCode: first?.errorCode });
      const typed = toConnectorError(err, `${r.object} change query`, sub.httpStatusCode, redactor);
      throw columnRefusalOf(typed) ?? typed;
    }
    const body = sub.body as { records?: unknown; done?: unknown; nextRecordsUrl?: unknown } | null;
    if (!body || !Array.isArray(body.records)) throw unexpected(`a ${r.object} page without records`);
    const next = body.done === false && typeof body.nextRecordsUrl === 'string' ? body.nextRecordsUrl : undefined;
    out.set(r.object, { records: (body.records as Record<string, unknown>[]).map(strip), ...(next ? { next } : {}) });
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
