// Requests over undici's request() with a kept-alive connection pool.
import { Agent, request } from 'undici';
import { searchBody, type IntercomTransport, type TransportOptions, type WireAnswer, type WireCall } from './transport.ts';

type Method = 'GET' | 'POST' | 'PUT';

function target(call: WireCall): { method: Method; path: string; body?: unknown } {
  switch (call.op) {
    case 'listContacts': {
      const q = new URLSearchParams({ per_page: String(call.perPage) });
      if (call.cursor) q.set('starting_after', call.cursor);
      return { method: 'GET', path: `/contacts?${q}` };
    }
    case 'searchContacts':
      return { method: 'POST', path: '/contacts/search', body: searchBody(call) };
    case 'getContact':
      return { method: 'GET', path: `/contacts/${encodeURIComponent(call.id)}` };
    case 'updateContact':
      return { method: 'PUT', path: `/contacts/${encodeURIComponent(call.id)}`, body: call.body };
    case 'listDataAttributes':
      return { method: 'GET', path: '/data_attributes?model=contact' };
  }
}

function parse(text: string, contentType: string | undefined): unknown {
  if (text === '' || !contentType?.includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function undiciTransport(opts: TransportOptions): IntercomTransport {
  const agent = new Agent({ connections: opts.connections, keepAliveTimeout: 30_000 });
  const base = opts.baseUrl.replace(/\/+$/, '');
  const headers = {
    authorization: `Bearer ${opts.token}`,
    'intercom-version': '2.14',
    accept: 'application/json',
    'user-agent': 'peoplesync',
  };
  return {
    async send(call: WireCall, signal: AbortSignal): Promise<WireAnswer> {
      const t = target(call);
      const res = await request(`${base}${t.path}`, {
        method: t.method,
        dispatcher: agent,
        signal,
        headers: t.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: t.body === undefined ? undefined : JSON.stringify(t.body),
      });
      const text = await res.body.text();
      const h = res.headers;
      const header = (name: string) => {
        const v = h[name];
        return Array.isArray(v) ? v[0] : v;
      };
      return { status: res.statusCode, header, body: parse(text, header('content-type')) };
    },
    close: () => agent.close(),
  };
}
