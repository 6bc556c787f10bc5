// Turns whatever jsforce or the network threw into one of the typed connector errors, with a
// message built from codes and the service's own text, every known secret blanked out.

import {
  AuthError,
  ConnectorError,
  NotFoundError,
  RateLimitedError,
  RequestLimitExceededError,
  TransientError,
  ValidationError,
} from '../errors.ts';

const VALIDATION_CODES = new Set([
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
const TRANSIENT_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'REQUEST_RUNNING_TOO_LONG']);
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

/** Replaces every secret (tokens, client secret, private key) and any bearer header in text. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined | null): void {
    if (!secret || secret.length < 6) return;
    this.secrets.add(secret);
    // A Salesforce session id is `<orgId>!<secret part>`; the part alone must not leak either.
    const bang = secret.lastIndexOf('!');
    if (bang >= 0 && secret.length - bang > 16) this.secrets.add(secret.slice(bang + 1));
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[redacted]');
    return out.replace(/(Bearer|OAuth)\s+[^\s"',;]+/g, '$1 [redacted]');
  }
}

/** A cause that can be logged or serialised safely: name, redacted message, code, no stack of
 * the original (a stack can quote request data). */
export class SanitizedCause extends Error {
  override name: string;
  readonly code?: string;
  constructor(name: string, message: string, code?: string) {
    super(message);
    this.name = name;
    this.code = code;
    this.stack = `${name}: ${message}`;
  }
}

function codeOf(err: unknown): string | undefined {
  const e = err as { errorCode?: unknown; code?: unknown; cause?: { code?: unknown; cause?: { code?: unknown } } };
  if (typeof e?.errorCode === 'string') return e.errorCode;
  if (typeof e?.code === 'string') return e.code;
  const inner = e?.cause?.code ?? e?.cause?.cause?.code;
  return typeof inner === 'string' ? inner : undefined;
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: unknown })?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

export function toConnectorError(err: unknown, what: string, status: number | undefined, redactor: Redactor): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const message = redactor.redact(raw).slice(0, 500);
  const code = codeOf(err);
  const cause = new SanitizedCause(err instanceof Error ? err.name : 'Error', message, code);
  const base = { system: 'salesforce' as const, status, cause };
  const text = (c: string) => `Salesforce ${what} failed: ${c}: ${message}`;

  if (isAbort(err)) return new TransientError(`Salesforce ${what} timed out`, { ...base, code: 'TIMEOUT' });
  if (err instanceof TypeError && code && NETWORK_CODES.has(code)) return new TransientError(text(code), { ...base, code });
  if (err instanceof TypeError && /fetch failed|terminated|socket/i.test(raw))
    return new TransientError(text('NETWORK'), { ...base, code: code ?? 'NETWORK' });
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    // Same code, two meanings: the daily budget is spent, or too many long requests run at once.
    if (/Concurrent/i.test(raw)) return new RateLimitedError(text(code), { ...base, code, retryAfterMs: 5_000 });
    return new RequestLimitExceededError(text(code), { ...base, status: status ?? 403 });
  }
  if (code === 'INVALID_SESSION_ID' || status === 401)
    return new AuthError(text(code ?? 'INVALID_SESSION_ID'), { ...base, code: code ?? 'INVALID_SESSION_ID' });
  if (code === 'NOT_FOUND' || status === 404) return new NotFoundError(text(code ?? 'NOT_FOUND'), { ...base, code: code ?? 'NOT_FOUND' });
  if ((status !== undefined && status >= 500) || (code && (TRANSIENT_CODES.has(code) || /^ERROR_HTTP_5\d\d$/.test(code)))) {
    return new TransientError(text(code ?? `HTTP_${status}`), { ...base, code: code ?? `HTTP_${status}` });
  }
  if ((code && VALIDATION_CODES.has(code)) || status === 400) {
    const fields = (err as { data?: { fields?: unknown } }).data?.fields;
    return new ValidationError(text(code ?? 'BAD_REQUEST'), {
      ...base,
      code: code ?? 'BAD_REQUEST',
      fields: Array.isArray(fields) ? fields.map(String) : [],
    });
  }
  return new ConnectorError(text(code ?? 'UNKNOWN'), { ...base, code: code ?? 'UNKNOWN', retryable: false });
}
