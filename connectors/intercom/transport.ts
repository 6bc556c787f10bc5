// How a call reaches Intercom. The client above paces, retries and types errors; a transport
// only sends one request and hands back status, headers and parsed body. Two implementations:
// bare undici (the default: 5-7x less client CPU per call, measured by
// test/bench/intercom-write.ts) and the official SDK intercom-client 7 (kept selectable and
// contract-tested against the description like the default).
import type { IcSearchQuery, IcSearchSort } from '../types.ts';

export type WireCall =
  | { op: 'listContacts'; perPage: number; cursor?: string }
  | { op: 'searchContacts'; query: IcSearchQuery; perPage: number; cursor?: string; sort?: IcSearchSort }
  | { op: 'getContact'; id: string }
  | { op: 'updateContact'; id: string; body: Record<string, unknown> }
  | { op: 'listDataAttributes' };

export interface WireAnswer {
  status: number;
  header(name: string): string | null | undefined;
  /** Parsed JSON, or the raw text when the answer was not JSON. */
  body: unknown;
}

export interface IntercomTransport {
  /** Resolves with any HTTP answer (also 4xx/5xx); rejects only when no answer came. */
  send(call: WireCall, signal: AbortSignal): Promise<WireAnswer>;
  close(): Promise<void>;
}

export type TransportKind = 'undici' | 'sdk';

export interface TransportOptions {
  baseUrl: string;
  token: string;
  connections: number;
}

/** Endpoint names used in messages and logs, e.g. "PUT /contacts/{id}". */
export function endpointOf(call: WireCall): string {
  switch (call.op) {
    case 'listContacts':
      return 'GET /contacts';
    case 'searchContacts':
      return 'POST /contacts/search';
    case 'getContact':
      return 'GET /contacts/{id}';
    case 'updateContact':
      return 'PUT /contacts/{id}';
    case 'listDataAttributes':
      return 'GET /data_attributes';
  }
}

/** The search body: the cursor travels in `pagination`, never in the query string. */
export function searchBody(call: Extract<WireCall, { op: 'searchContacts' }>): Record<string, unknown> {
  return {
    query: call.query,
    pagination: { per_page: call.perPage, ...(call.cursor ? { starting_after: call.cursor } : {}) },
    ...(call.sort ? { sort: call.sort } : {}),
  };
}
