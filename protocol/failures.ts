// The one place that tells what a failure means: Salesforce's and Intercom's answers (by their
// codes and statuses, as their APIs document them: test/fixtures/reference/API-FACTS.md) become a
// ConnectorError kind, NATS's own errors are transient or not, and `failureOf` reads from any
// error whether (and when) its work may be tried again. Pure: no I/O, no client library.
import { ConnectorError, type ConnectorFailureKind, WorkError } from './errors.ts';
import type { DlqReason } from './headers.ts';

// ---- NATS ------------------------------------------------------------------------------------

/** NATS itself was slow or away (a request timed out, the connection is reconnecting or
 * draining, nobody answered yet): the work is fine, try it again later. */
const TRANSIENT_NATS_CODES = new Set([
  'TIMEOUT',
  '503',
  'CONNECTION_CLOSED',
  'CONNECTION_DRAINING',
  'DISCONNECT',
  'CONNECTION_REFUSED',
  'CONNECTION_TIMEOUT',
]);

function natsCodeOf(err: unknown): string | undefined {
  if (!(err instanceof Error) || err.name !== 'NatsError' || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

export function isTransientNatsError(err: unknown): boolean {
  const code = natsCodeOf(err);
  return code !== undefined && TRANSIENT_NATS_CODES.has(code);
}

/** A request nobody subscribes to (NATS answers 503 "no responders" at once). */
export function isNoResponders(err: unknown): boolean {
  return natsCodeOf(err) === '503';
}

/** JetStream KV refused a create or an update because the key exists or moved on since the
 * revision the writer read (API error 10071, "wrong last sequence"). */
export function isKvWriteConflict(err: unknown): boolean {
  const m = (err as Error)?.message ?? '';
  return /wrong last sequence|key exists/i.test(m) || (err as { api_error?: { err_code?: number } })?.api_error?.err_code === 10071;
}

// ---- Salesforce ------------------------------------------------------------------------------

const SF_INVALID_CODES = new Set([
  'INVALID_FIELD',
  'MALFORMED_QUERY',
  'INVALID_TYPE',
  'EXCEEDED_ID_LIMIT',
  'JSON_PARSER_ERROR',
  'INVALID_QUERY_FILTER_OPERATOR',
  'INVALID_QUERY_LOCATOR',
  'MALFORMED_ID',
  'INVALID_REPLICATION_DATE',
]);
const SF_TRANSIENT_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'REQUEST_RUNNING_TOO_LONG']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);
/** Codes of a whole call refused for one field (the field is gone, or a value its type cannot take). */
const SF_FIELD_REFUSAL_CODES = new Set(['INVALID_FIELD', 'JSON_PARSER_ERROR']);
const SF_REQUEST_LIMIT = 'REQUEST_LIMIT_EXCEEDED';

/** The code Salesforce (jsforce's `errorCode`) or the network (a system error's `code`, also as
 * fetch's cause) gave a failure. */
export function salesforceCodeOf(err: unknown): string | undefined {
  const e = err as { errorCode?: unknown; code?: unknown; cause?: { code?: unknown; cause?: { code?: unknown } } };
  if (typeof e?.errorCode === 'string') return e.errorCode;
  if (typeof e?.code === 'string') return e.code;
  const inner = e?.cause?.code ?? e?.cause?.cause?.code;
  return typeof inner === 'string' ? inner : undefined;
}

export interface ClassifiedFailure {
  kind: ConnectorFailureKind;
  /** The code the error carries. */
  code: string;
  /** The code its message names (NETWORK for a dropped fetch whatever its inner code). */
  said: string;
  status?: number;
  retryAfterMs?: number;
  /** Aborted or timed out before any answer. */
  timedOut?: true;
}

/** What a thrown Salesforce call (jsforce, fetch) means; `status` is the HTTP status when known. */
export function classifySalesforce(err: unknown, status?: number): ClassifiedFailure {
  const raw = err instanceof Error ? err.message : String(err);
  const code = salesforceCodeOf(err);
  const as = (kind: ConnectorFailureKind, c: string, extra: Partial<ClassifiedFailure> = {}): ClassifiedFailure => ({
    kind,
    code: c,
    said: c,
    status,
    ...extra,
  });
  const name = (err as { name?: unknown })?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return as('transient', 'TIMEOUT', { timedOut: true });
  if (err instanceof TypeError && code && NETWORK_CODES.has(code)) return as('transient', code);
  if (err instanceof TypeError && /fetch failed|terminated|socket/i.test(raw))
    return as('transient', code ?? 'NETWORK', { said: 'NETWORK' });
  if (code === SF_REQUEST_LIMIT) {
    // Same code, two meanings: the daily budget is spent, or too many long requests run at once.
    if (/Concurrent/i.test(raw)) return as('rate_limited', code, { retryAfterMs: 5_000 });
    return as('request_limit', code, { status: status ?? 403 });
  }
  if (code === 'INVALID_SESSION_ID' || status === 401) return as('auth', code ?? 'INVALID_SESSION_ID');
  if (code === 'NOT_FOUND' || status === 404) return as('not_found', code ?? 'NOT_FOUND');
  if ((status !== undefined && status >= 500) || (code && isTransientSalesforceCode(code)))
    return as('transient', code ?? `HTTP_${status}`);
  if ((code && SF_INVALID_CODES.has(code)) || status === 400) return as('invalid', code ?? 'BAD_REQUEST');
  return as('unknown', code ?? 'UNKNOWN');
}

/** A per-record or top-level Salesforce code that a later try may not meet (a locked row, 5xx). */
export function isTransientSalesforceCode(code: string): boolean {
  return SF_TRANSIENT_CODES.has(code) || /^ERROR_HTTP_5\d\d$/.test(code);
}

/** The Salesforce request limit in either of its meanings (the org's daily budget spent, or too
 * many long requests at once): both answer REQUEST_LIMIT_EXCEEDED. */
export function isSalesforceRequestLimit(err: unknown): boolean {
  return err instanceof ConnectorError && err.system === 'salesforce' && err.kind === 'request_limit';
}

export type FieldRefusalCode = 'INVALID_FIELD' | 'JSON_PARSER_ERROR';

/** A Salesforce call refused whole, by its code perhaps because of one field; undefined otherwise. */
export function fieldRefusal(err: unknown): (ConnectorError & { code: FieldRefusalCode }) | undefined {
  if (!(err instanceof ConnectorError) || err.system !== 'salesforce' || err.kind !== 'invalid') return undefined;
  return SF_FIELD_REFUSAL_CODES.has(err.code) ? (err as ConnectorError & { code: FieldRefusalCode }) : undefined;
}

/** A refused field's sync-error cause: a value its type could not read, or anything else. */
export function refusedFieldCause(code: string): 'unparseable_value' | 'other' {
  return code === 'JSON_PARSER_ERROR' ? 'unparseable_value' : 'other';
}

// ---- Intercom --------------------------------------------------------------------------------

/** What an Intercom HTTP answer that was not 2xx means (its `error.list` code is kept as data). */
export function classifyIntercom(status: number): ConnectorFailureKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'transient';
  return 'invalid';
}

/** A Node system error (ECONNREFUSED) or undici's (UND_ERR_SOCKET): the call got no answer. */
export function isSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}

// ---- Any error -------------------------------------------------------------------------------

export interface Failure {
  retryable: boolean;
  retryAfterMs?: number;
  dlqReason?: DlqReason;
}

/** Whether (and when) the work that failed with `err` may be tried again. */
export function failureOf(err: unknown): Failure {
  if (err instanceof WorkError) return { retryable: err.retryable, retryAfterMs: err.retryAfterMs, dlqReason: err.dlqReason };
  if (isTransientNatsError(err)) return { retryable: true };
  return { retryable: false };
}
