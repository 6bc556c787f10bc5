// The Salesforce connector's face: how it is configured and what it offers the actors.

import type { KeyObject } from 'node:crypto';
import type { ChangeEventOptions, ChangeSubscription } from './streaming.ts';
import type { ApiCallListener, SfChangeCursor, SfDescribe, SfObject, SfRecord, SfRecordResult, SfRecordUpdate } from '../types.ts';

/** How the connector obtains a session. The two grants re-run themselves when Salesforce answers
 * 401, so an expired session is renewed without the caller noticing. */
export type SalesforceAuth =
  | { kind: 'client_credentials'; loginUrl: string; clientId: string; clientSecret: string }
  | {
      kind: 'jwt';
      loginUrl: string;
      clientId: string;
      username: string;
      /** PEM text or a KeyObject of the connected app's certificate key. */
      privateKey: string | KeyObject;
      /** JWT `aud`; default the loginUrl (login.salesforce.com / test.salesforce.com in production). */
      audience?: string;
    }
  | { kind: 'token'; instanceUrl: string; accessToken: string };

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface SalesforceClientOptions {
  auth: SalesforceAuth;
  /** Default 62.0 (jsforce's own default is far older). */
  apiVersion?: string;
  /** Told about every HTTP call, successful or not, retries included. */
  onCall?: ApiCallListener;
  /** Per HTTP call. Default 30 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Records per keyset page. Default 2000 (the most one query call returns). */
  pageSize?: number;
  /** Ids per `Id IN (...)` query, bounded by URL length. Default 200. */
  idsPerQuery?: number;
}

export interface SfPage {
  records: SfRecord[];
  /** Id of the last record, to pass as afterId; null when the page is empty. */
  lastId: string | null;
  /** Fewer records than asked for: nothing after this page. */
  done: boolean;
}

/** Records to look up: by Id, or by the values of one field (emails, match-key values). */
export type SfLookup = { object: SfObject; fields: readonly string[] } & (
  { ids: readonly string[] } | { field: string; values: readonly string[] }
);

export interface SfChangePage {
  records: SfRecord[];
  /** Where to continue: the (SystemModstamp, Id) of the last record, or the cursor given. */
  cursor: SfChangeCursor | null;
  done: boolean;
}

/** One object's change query of a composite read. */
export interface SfChangeRequest {
  object: SfObject;
  fields: readonly string[];
  cursor: SfChangeCursor | null;
  limit?: number;
}

export interface SfChangesTogether {
  pages: Partial<Record<SfObject, SfChangePage>>;
  /** The service's clock when it answered (its Date header, whole seconds); null when absent. */
  serverTime: number | null;
}

export interface SfLimit {
  Max: number;
  Remaining: number;
}

export interface SfLimits {
  dailyApiRequests: { max: number; remaining: number };
  all: Record<string, SfLimit>;
}

/** Every read names its fields in SOQL: a field the object no longer has refuses the query with
 * FieldRefusedError naming it. */
export interface SalesforceClient {
  /** Establishes the session now (otherwise the first call does). */
  connect(): Promise<void>;
  /** One SOQL call: records with Id > afterId in Id order, at most `limit` (default 2000). */
  readPage(object: SfObject, fields: readonly string[], opts?: { afterId?: string; limit?: number }): Promise<SfPage>;
  /** Every record, page by page (keyset by Id), streamed: nothing is held beyond one page. */
  scan(object: SfObject, fields: readonly string[], opts?: { afterId?: string; pageSize?: number }): AsyncIterable<SfRecord[]>;
  /** Records of the object (SELECT COUNT()), one call. */
  count(object: SfObject): Promise<number>;
  /** Records changed strictly after each cursor in (SystemModstamp, Id) order (null = from the
   * start), of several objects (at most 5) in ONE composite API call: a page of each. A field an
   * object no longer has refuses with FieldRefusedError naming it. */
  readChangesTogether(reqs: readonly SfChangeRequest[]): Promise<SfChangesTogether>;
  /** The records of several look-ups (by Id, by a field's values) in composite calls of five queries
   * (200 Ids or 100 values a query): the records of each look-up, in the order given. */
  readTogether(lookups: readonly SfLookup[]): Promise<SfRecord[][]>;
  /** The records with these Ids (missing ones are left out), ~200 Ids per query call. */
  readByIds(object: SfObject, fields: readonly string[], ids: readonly string[]): Promise<SfRecord[]>;
  describe(object: SfObject): Promise<SfDescribe>;
  /** At most 200 updates in one PATCH composite/sobjects call, grouped by object; one result per
   * update, in order. A call Salesforce refuses whole because of one field (a deleted field, a
   * value of the wrong type) rejects with FieldRefusedError naming it. */
  update(updates: readonly SfRecordUpdate[]): Promise<SfRecordResult[]>;
  limits(): Promise<SfLimits>;
  /** Change events of Leads and Contacts (Change Data Capture over the Streaming API); resolves
   * once subscribed. Costs no API call. */
  subscribeChanges(opts: ChangeEventOptions): Promise<ChangeSubscription>;
  /** The integration user's Id (what change events it caused carry as commitUser); null with a
   * fixed token. */
  userId(): Promise<string | null>;
}
