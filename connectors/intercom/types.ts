// The Intercom connector's face: what actors call, and the options that build it.
import type { IcContact, IcContactPatch, IcDataAttribute, IcPage, IcSearchQuery } from '../types.ts';
import type { RatePacer } from './pacer.ts';
import type { TransportKind } from './transport.ts';

/** pino-compatible: `log.warn({ op, waitMs }, 'message')`. Fields never include the token. */
export interface IntercomLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface IntercomClientOptions {
  /** e.g. https://api.intercom.io, or a sandbox URL. */
  baseUrl: string;
  token: string;
  /** Pinned; the only version the connector is written against. */
  version?: '2.14';
  /** Wait on X-RateLimit-Remaining/Reset and retry 429s after the reset (default true). */
  pacing?: boolean;
  /** Share one pacer between clients of the same app: the limit is per app. */
  pacer?: RatePacer;
  /** 'undici' (default: 5-7x less client CPU per call than the SDK) or 'sdk' (the official intercom-client 7). */
  transport?: TransportKind;
  /** Per request (default 20,000). */
  timeoutMs?: number;
  /** Retries of transient failures (5xx, network, timeout) per call; every call here is idempotent (default 2). */
  transientRetries?: number;
  /** Retries of a 429 after waiting for the window reset, with pacing on (default 5). */
  rateLimitRetries?: number;
  /** First backoff of a transient retry; doubles each time (default 250 ms). */
  backoffMs?: number;
  /** Parallel connections kept alive to the service (default 16). */
  connections?: number;
  logger?: IntercomLogger;
  /** Told of every request sent (each retry is one): `ok`, or the error's code. */
  onCall?: (r: { op: string; outcome: string }) => void;
}

export interface UpdateOptions {
  /** Asked right before the request goes out (after any wait for the rate limit): false withdraws
   * it, and the call rejects with a `withdrawn` ConnectorError having sent nothing. */
  stillWanted?: () => Promise<boolean>;
}

export interface RateLimitState {
  limit?: number;
  remaining?: number;
  /** Epoch milliseconds when the current window ends, as the service last said. */
  resetAtMs?: number;
  inFlight: number;
}

export interface IntercomClient {
  /** One page of GET /contacts (cursor from the previous page's `next`). */
  listContactsPage(cursor?: string, perPage?: number): Promise<IcPage>;
  /** One page of POST /contacts/search; the cursor travels in the body. */
  searchContacts(query: IcSearchQuery, cursor?: string, perPage?: number): Promise<IcPage>;
  /**
   * Contacts updated at or after `unixSeconds`, in batches (one per page). Search matches
   * timestamps by calendar day, so the query reaches back more than a day, sorted newest first:
   * the pages stop at the first contact older than asked, and the batches are filtered and
   * de-duplicated here.
   */
  searchUpdatedSince(unixSeconds: number, perPage?: number): AsyncGenerator<IcContact[], void, undefined>;
  getContact(id: string): Promise<IcContact>;
  /** PUT /contacts/{id} with only the fields present in `patch`. */
  updateContact(id: string, patch: IcContactPatch, opts?: UpdateOptions): Promise<IcContact>;
  listDataAttributes(): Promise<IcDataAttribute[]>;
  rateLimitState(): RateLimitState;
  /** Closes kept-alive connections. */
  close(): Promise<void>;
}
