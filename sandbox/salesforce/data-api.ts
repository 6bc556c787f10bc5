// The REST resources under /services/data/vXX.X: query and queryAll with nextRecordsUrl paging,
// describe, one record (read, update, create), getUpdated, limits and sObject Collections
// update. Each handler returns a status and a JSON body; server.ts does authentication, faults,
// the API version and the usage header.

import type { SObjectName, SObjectRecord } from './wire.ts';
import { formatSfDateTime, parseSfDateTime, sobjectName, type SfFieldSpec } from '../sf-schema.ts';
import { compositeUpdate } from './composite.ts';
import { compositeRequest } from './composite-request.ts';
import { describeObject } from './describe.ts';
import type { CallKind, SandboxOrg } from './org.ts';
import { executeQuery, prepareQuery, QueryError } from './query-engine.ts';
import { limitsBody } from './limits.ts';
import { createOne, notFound, retrieve, serialize, updateOne } from './record-api.ts';
import { restError, type ApiAnswer } from './wire.ts';

export interface DataRequest {
  method: string;
  version: string;
  /** Path after /services/data/vXX.X, e.g. /query. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** The body as sent, for the positions a parser error reports. */
  text: string;
  baseUrl: string;
}

const err = (status: number, errorCode: string, message: string): ApiAnswer => restError(status, errorCode, message);

interface Cursor {
  object: SObjectName;
  fields: SfFieldSpec[];
  rows: SObjectRecord[];
  pos: number;
  version: string;
}

/** Open query cursors, oldest dropped first (Salesforce also caps open cursors per user). */
class LocatorCache {
  private readonly open = new Map<string, Cursor>();
  private seq = 0;
  constructor(private readonly cap = 500) {}

  add(c: Cursor): string {
    const id = `01g${(++this.seq).toString(36).toUpperCase().padStart(12, '0')}AAA`;
    this.open.set(id, c);
    if (this.open.size > this.cap) this.open.delete(this.open.keys().next().value as string);
    return id;
  }

  get(id: string): Cursor | undefined {
    return this.open.get(id);
  }
  drop(id: string): void {
    this.open.delete(id);
  }
}

export function classify(method: string, path: string): CallKind {
  if (/^\/query(All)?\/[^/]+$/.test(path)) return 'queryMore';
  if (/^\/query(All)?\/?$/.test(path)) return 'query';
  if (path.startsWith('/composite/sobjects')) return 'update';
  if (path === '/composite' || path === '/composite/') return 'composite';
  if (/^\/sobjects\/[^/]+\/describe\/?$/.test(path)) return 'describe';
  if (/^\/sobjects\/[^/]+\/updated\/?$/.test(path)) return 'updated';
  if (/^\/sobjects\/[^/]+\/[^/]+$/.test(path) && method === 'GET') return 'retrieve';
  if (/^\/sobjects\/[^/]+\/[^/]+$/.test(path) && method === 'PATCH') return 'update';
  if (/^\/sobjects\/[^/]+\/?$/.test(path) && method === 'POST') return 'create';
  if (/^\/limits\/?$/.test(path)) return 'limits';
  return 'other';
}

export class DataApi {
  private readonly locators = new LocatorCache();

  constructor(
    private readonly org: SandboxOrg,
    private readonly defaultPageSize = 2000,
  ) {}

  handle(req: DataRequest): ApiAnswer {
    try {
      return this.route(req);
    } catch (e) {
      if (e instanceof QueryError) return err(400, e.code, e.message);
      throw e;
    }
  }

  private route(req: DataRequest): ApiAnswer {
    const { method, path } = req;
    const only = (allowed: string, run: () => ApiAnswer): ApiAnswer =>
      method === allowed ? run() : err(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed}`);
    let m: RegExpExecArray | null;
    if (path === '' || path === '/') return only('GET', () => ({ status: 200, body: this.resources(req.version) }));
    if ((m = /^\/query(All)?\/?$/.exec(path))) return only('GET', () => this.query(req));
    if ((m = /^\/query(?:All)?\/([^/]+)$/.exec(path))) return only('GET', () => this.queryMore(req, m![1]));
    if (path === '/limits' || path === '/limits/') return only('GET', () => ({ status: 200, body: limitsBody(this.org.usage.snapshot()) }));
    if (path === '/composite' || path === '/composite/') {
      // Each subrequest is served as a request of its own would be (the call was charged once).
      return only('POST', () =>
        compositeRequest(req.version, req.body, (sub) =>
          this.handle({
            ...req,
            method: sub.method,
            path: sub.path,
            query: sub.query,
            body: sub.body,
            text: JSON.stringify(sub.body ?? null),
          }),
        ),
      );
    }
    if (path === '/composite/sobjects' || path === '/composite/sobjects/')
      return only('PATCH', () => compositeUpdate(this.org, req.body, req.text));
    if ((m = /^\/sobjects\/([^/]+)\/describe\/?$/.exec(path))) {
      const object = sobjectName(m[1]);
      return only('GET', () =>
        object ? { status: 200, body: describeObject(this.org.schema, object, req.version, req.baseUrl) } : notFound(),
      );
    }
    if ((m = /^\/sobjects\/([^/]+)\/updated\/?$/.exec(path))) return only('GET', () => this.updated(req, m![1]));
    if ((m = /^\/sobjects\/([^/]+)\/?$/.exec(path))) return only('POST', () => createOne(this.org, m![1], req.body, req.text));
    if ((m = /^\/sobjects\/([^/]+)\/([^/]+)$/.exec(path))) {
      const [type, id] = [m[1], m[2]];
      if (method === 'PATCH') return updateOne(this.org, type, id, req.body, req.text);
      return only('GET', () => retrieve(this.org, type, id, req.query.get('fields'), req.version));
    }
    return notFound();
  }

  private resources(version: string): Record<string, string> {
    const root = `/services/data/v${version}`;
    return {
      sobjects: `${root}/sobjects`,
      query: `${root}/query`,
      queryAll: `${root}/queryAll`,
      limits: `${root}/limits`,
      composite: `${root}/composite`,
    };
  }

  private pageSize(req: DataRequest): number {
    const header = req.headers['sforce-query-options'];
    const m = /batchSize=(\d+)/i.exec(Array.isArray(header) ? header.join(',') : (header ?? ''));
    return m ? Math.min(2000, Math.max(200, Number(m[1]))) : this.defaultPageSize;
  }

  private query(req: DataRequest): ApiAnswer {
    const soql = req.query.get('q');
    if (!soql) return err(400, 'MALFORMED_QUERY', 'A query string must be provided in the q parameter');
    const q = prepareQuery(this.org.schema, soql);
    if (q.count) {
      const all = q.where || q.offset ? executeQuery(this.org.store, q).length : this.org.store.count(q.object);
      return { status: 200, body: { totalSize: Math.min(all, q.limit ?? Infinity), done: true, records: [] } };
    }
    const rows = executeQuery(this.org.store, q);
    return this.page({ object: q.object, fields: q.fields, rows, pos: 0, version: req.version }, undefined, this.pageSize(req));
  }

  private queryMore(req: DataRequest, token: string): ApiAnswer {
    const m = /^([A-Za-z0-9]+)-(\d+)$/.exec(token);
    const cursor = m ? this.locators.get(m[1]) : undefined;
    if (!m || !cursor) return err(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    cursor.pos = Math.min(Number(m[2]), cursor.rows.length);
    return this.page(cursor, m[1], this.pageSize(req));
  }

  private page(cursor: Cursor, locator: string | undefined, size: number): ApiAnswer {
    const slice = cursor.rows.slice(cursor.pos, cursor.pos + size);
    cursor.pos += slice.length;
    const done = cursor.pos >= cursor.rows.length;
    const body: Record<string, unknown> = { totalSize: cursor.rows.length, done };
    if (!done) {
      const id = locator ?? this.locators.add(cursor);
      body.nextRecordsUrl = `/services/data/v${cursor.version}/query/${id}-${cursor.pos}`;
    } else if (locator) {
      this.locators.drop(locator);
    }
    body.records = slice.map((r) => serialize(cursor.object, cursor.fields, r, cursor.version));
    return { status: 200, body };
  }

  private updated(req: DataRequest, name: string): ApiAnswer {
    const type = sobjectName(name);
    if (!type) return notFound();
    const start = parseSfDateTime(req.query.get('start') ?? '');
    const end = parseSfDateTime(req.query.get('end') ?? '');
    if (Number.isNaN(start) || Number.isNaN(end)) return err(400, 'MALFORMED_QUERY', 'start and end must be ISO 8601 date-times');
    if (end < start) return err(400, 'INVALID_REPLICATION_DATE', 'end date cannot be before start date');
    if (start < this.org.now() - 30 * 86_400_000) return err(400, 'INVALID_REPLICATION_DATE', 'start date cannot be more than 30 days ago');
    const from = formatSfDateTime(Math.floor(start / 60_000) * 60_000);
    const to = formatSfDateTime(Math.floor(end / 60_000) * 60_000);
    const ids: string[] = [];
    for (const r of this.org.store.byModstampFrom(type, from)) {
      if (String(r.SystemModstamp) >= to) break;
      ids.push(r.Id);
      if (ids.length >= 600_000) break;
    }
    return { status: 200, body: { ids, latestDateCovered: to } };
  }
}
