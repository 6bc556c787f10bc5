// Requests through the official SDK (intercom-client 7). Its answers and errors are unwrapped to
// status, headers and body so the client treats both transports alike. The SDK's own retries
// are off: it would retry 429s on its own clock, outside the shared pacer.
import { IntercomClient as SdkClient, IntercomError, IntercomTimeoutError } from 'intercom-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { searchBody, type IntercomTransport, type TransportOptions, type WireAnswer, type WireCall } from './transport.ts';

type HeadersLike = { get(name: string): string | null };
type SdkSearch = Parameters<SdkClient['contacts']['search']>[0];
type SdkUpdate = Parameters<SdkClient['contacts']['update']>[0];

/** No HTTP answer at all (refused, dropped, timed out). */
export class SdkTransportError extends Error {
  override name = 'SdkTransportError';
}

function answer(status: number, headers: HeadersLike, body: unknown): WireAnswer {
  return { status, header: (n) => headers.get(n), body };
}

async function dispatch(sdk: SdkClient, call: WireCall, ro: object): Promise<WireAnswer> {
  switch (call.op) {
    case 'listContacts': {
      const page = await sdk.contacts.list({ per_page: call.perPage, ...(call.cursor ? { starting_after: call.cursor } : {}) }, ro);
      return answer(200, page.rawResponse.headers, page.response);
    }
    case 'searchContacts': {
      const page = await sdk.contacts.search(searchBody(call) as unknown as SdkSearch, ro);
      return answer(200, page.rawResponse.headers, page.response);
    }
    case 'getContact': {
      const r = await sdk.contacts.find({ contact_id: call.id }, ro).withRawResponse();
      return answer(r.rawResponse.status, r.rawResponse.headers, r.data);
    }
    case 'updateContact': {
      const r = await sdk.contacts.update({ contact_id: call.id, ...call.body } as SdkUpdate, ro).withRawResponse();
      return answer(r.rawResponse.status, r.rawResponse.headers, r.data);
    }
    case 'listDataAttributes': {
      const r = await sdk.dataAttributes.list({ model: 'contact' }, ro).withRawResponse();
      return answer(r.rawResponse.status, r.rawResponse.headers, r.data);
    }
  }
}

export function sdkTransport(opts: TransportOptions): IntercomTransport {
  const agent = new Agent({ connections: opts.connections, keepAliveTimeout: 30_000 });
  const fetchWithAgent = ((input: string, init?: object) =>
    undiciFetch(input, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
  const sdk = new SdkClient({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    token: opts.token,
    version: '2.14',
    maxRetries: 0,
    fetch: fetchWithAgent,
  });
  return {
    async send(call: WireCall, signal: AbortSignal): Promise<WireAnswer> {
      // The SDK aborts its own timeout with a string reason that fetch rethrows as is, so it
      // cannot tell a timeout from other failures; the caller's signal is the deadline instead.
      const ro = { timeoutInSeconds: 3600, maxRetries: 0, abortSignal: signal };
      try {
        return await dispatch(sdk, call, ro);
      } catch (err) {
        if (err instanceof IntercomError && err.statusCode !== undefined) {
          const headers: HeadersLike = err.rawResponse?.headers ?? { get: () => null };
          return answer(err.statusCode, headers, err.body);
        }
        if (err instanceof IntercomError || err instanceof IntercomTimeoutError) {
          throw new SdkTransportError(err.message.split('\n')[0], { cause: err });
        }
        throw err;
      }
    },
    close: () => agent.close(),
  };
}
