// POST /composite: a series of REST requests (subrequests) in one call, answered together as
// {compositeResponse: [{body, httpHeaders, httpStatusCode, referenceId}]}. "The entire series of
// requests counts as a single call toward your API limits" (API-FACTS "Composite"): server.ts
// charges the composite once, the subrequests nothing. At most 25 subrequests, at most 5 of them
// query operations (query, queryAll, the next page of a query). allOrNone false: a failed
// subrequest answers its own error and the others run. Each subrequest is served by the same
// resources as a request of its own.

import { restError, type ApiAnswer } from './wire.ts';

export const MAX_SUBREQUESTS = 25;
export const MAX_QUERY_SUBREQUESTS = 5;

export interface Subrequest {
  method: string;
  /** Path after /services/data/vXX.X, e.g. /query. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

interface RawSub {
  method?: unknown;
  url?: unknown;
  referenceId?: unknown;
  body?: unknown;
}

const isQuery = (path: string) => /^\/query(All)?(\/[^/]+)?\/?$/.test(path);

/** Runs each subrequest through `serve`, or refuses the whole request as not well formed. */
export function compositeRequest(version: string, body: unknown, serve: (sub: Subrequest) => ApiAnswer): ApiAnswer {
  const b = body as { compositeRequest?: unknown; allOrNone?: unknown } | null;
  const subs = b?.compositeRequest;
  if (!Array.isArray(subs) || subs.length === 0) {
    return restError(400, 'JSON_PARSER_ERROR', 'compositeRequest must be a non-empty array of subrequests');
  }
  if (subs.length > MAX_SUBREQUESTS) {
    return restError(400, 'INVALID_BATCH', `a composite request takes at most ${MAX_SUBREQUESTS} subrequests, got ${subs.length}`);
  }
  if (b?.allOrNone === true) return restError(400, 'INVALID_BATCH', 'allOrNone true is not supported by this sandbox');
  const parsed: { sub: Subrequest; referenceId: string }[] = [];
  const ids = new Set<string>();
  for (const [i, raw] of (subs as RawSub[]).entries()) {
    const { method, url, referenceId } = raw ?? {};
    if (typeof method !== 'string' || typeof url !== 'string' || typeof referenceId !== 'string' || referenceId === '') {
      return restError(400, 'JSON_PARSER_ERROR', `subrequest ${i} needs method, url and referenceId`);
    }
    if (ids.has(referenceId)) return restError(400, 'DUPLICATE_VALUE', `referenceId ${referenceId} is used twice`);
    ids.add(referenceId);
    const u = new URL(url, 'http://sandbox.invalid');
    const m = /^\/services\/data\/v(\d+\.\d+)(\/.*)$/.exec(u.pathname);
    if (!m || m[1] !== version) {
      return restError(400, 'INVALID_URL', `subrequest ${referenceId}: url must be under /services/data/v${version}, got ${url}`);
    }
    parsed.push({ referenceId, sub: { method: method.toUpperCase(), path: m[2], query: u.searchParams, body: raw.body } });
  }
  const queries = parsed.filter((p) => p.sub.method === 'GET' && isQuery(p.sub.path)).length;
  if (queries > MAX_QUERY_SUBREQUESTS) {
    return restError(400, 'INVALID_BATCH', `a composite request takes at most ${MAX_QUERY_SUBREQUESTS} query operations, got ${queries}`);
  }
  const compositeResponse = parsed.map(({ sub, referenceId }) => {
    const a = serve(sub);
    return { body: a.body ?? null, httpHeaders: {}, httpStatusCode: a.status, referenceId };
  });
  return { status: 200, body: { compositeResponse } };
}
