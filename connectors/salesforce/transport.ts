// Hooks jsforce's HTTP transport so that every request, retries and session renewals included,
// is reported exactly once with the org's usage from Sforce-Limit-Info, gets a timeout, and is
// tried once only: jsforce's built-in retries would hide calls from the count.

import type { Connection, HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';
import type { ApiCallReport } from '../types.ts';

type Transport = Connection['_transport'];
export type CallKind = ApiCallReport['kind'];

/** Travels with one logical call through jsforce (inside the request options) so the hook knows
 * its kind and the last HTTP status, which jsforce's errors do not carry. */
export interface CallContext {
  kind: CallKind;
  status?: number;
  /** The answer's Date header: the service's clock, in whole seconds. */
  date?: string;
}

export const CONTEXT_KEY = 'peoplesyncCall';

export interface TransportHooks {
  timeoutMs: number;
  /** Called once per HTTP request. */
  onResponse(kind: CallKind, res: HttpResponse | undefined): void;
}

export function parseLimitInfo(header: string | undefined): { used: number; max: number } | undefined {
  const m = /api-usage=(\d+)\/(\d+)/.exec(header ?? '');
  return m ? { used: Number(m[1]), max: Number(m[2]) } : undefined;
}

export function instrumentTransport(transport: Transport, defaultKind: CallKind, hooks: TransportHooks): void {
  const original = transport.httpRequest.bind(transport);
  transport.httpRequest = (req: HttpRequest, options: HttpRequestOptions = {}) => {
    const ctx = (options as Record<string, unknown>)[CONTEXT_KEY] as CallContext | undefined;
    const kind = ctx?.kind ?? defaultKind;
    const forced: HttpRequestOptions = { ...options, timeout: hooks.timeoutMs, retry: { ...options.retry, maxRetries: 0 } };
    const promise = original(req, forced);
    promise.then(
      (res) => {
        if (ctx) {
          ctx.status = res?.statusCode;
          const date = res?.headers?.date;
          ctx.date = typeof date === 'string' ? date : undefined;
        }
        hooks.onResponse(kind, res);
      },
      () => {
        if (ctx) ctx.status = undefined;
        hooks.onResponse(kind, undefined);
      },
    );
    return promise;
  };
}
