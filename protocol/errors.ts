// The one errors module: the few error types. Every failure that crosses an actor's boundary says,
// as data, whether the work may be tried again (`retryable`), when (`retryAfterMs`) and what its
// dead letter names (`dlqReason`); errors that differ only by what they are called differ by
// `name`, not by class. Salesforce's and Intercom's failures are ConnectorErrors of a `kind`;
// failures.ts is the one place that reads their codes, and NATS's, and `failureOf` any error.
import type { DlqReason } from './headers.ts';

export interface WorkErrorOptions {
  retryable: boolean;
  /** When to come back (a rate limit's reset, a quota refusal's wait). */
  retryAfterMs?: number;
  /** The reason its dead letter names when the work fails for good (default: by `retryable`). */
  dlqReason?: DlqReason;
  cause?: unknown;
  /** The name logs and dead letters show (`<name>: <message>`); errors differ by it, not by class. */
  name?: string;
}

export class WorkError extends Error {
  override name = 'WorkError';
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly dlqReason?: DlqReason;
  constructor(message: string, opts: WorkErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    if (opts.name !== undefined) this.name = opts.name;
    this.retryable = opts.retryable;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    if (opts.dlqReason !== undefined) this.dlqReason = opts.dlqReason;
  }
}

/** Try again later: the work is fine, something it needs is not (yet). */
export class RetryableError extends WorkError {
  constructor(message: string, opts: Omit<WorkErrorOptions, 'retryable'> = {}) {
    super(message, { name: 'RetryableError', ...opts, retryable: true });
  }
}

/** Trying again cannot help: the item is dead-lettered (or recorded as a sync error). */
export class PermanentError extends WorkError {
  constructor(message: string, opts: Omit<WorkErrorOptions, 'retryable'> = {}) {
    super(message, { name: 'PermanentError', ...opts, retryable: false });
  }
}

export type ExternalSystem = 'salesforce' | 'intercom';

/** What an external system's failure means to the caller, whatever code the system gave it. */
export type ConnectorFailureKind =
  | 'transient' // network failure, timeout, 5xx, a locked row: try again later
  | 'rate_limited' // 429 or a concurrency limit: retry after `retryAfterMs`
  | 'request_limit' // Salesforce's daily API budget is spent: not retried by the connector
  | 'auth' // credentials refused and not renewable
  | 'not_found' // the record is gone
  | 'conflict' // Intercom refuses a duplicate (email taken by another contact)
  | 'invalid' // the request itself is wrong (invalid field, malformed query, bad value)
  | 'withdrawn' // the caller withdrew the call before it was sent: nothing reached the service
  | 'unknown';

const KINDS: Readonly<Record<ConnectorFailureKind, { name: string; retryable: boolean }>> = {
  transient: { name: 'TransientError', retryable: true },
  rate_limited: { name: 'RateLimitedError', retryable: true },
  request_limit: { name: 'RequestLimitExceededError', retryable: false },
  auth: { name: 'AuthError', retryable: false },
  not_found: { name: 'NotFoundError', retryable: false },
  conflict: { name: 'ConflictError', retryable: false },
  invalid: { name: 'ValidationError', retryable: false },
  withdrawn: { name: 'CallWithdrawnError', retryable: false },
  unknown: { name: 'ConnectorError', retryable: false },
};

export interface ConnectorErrorOptions {
  system: ExternalSystem;
  kind: ConnectorFailureKind;
  /** The service's own error code where it gave one (INVALID_SESSION_ID, not_found, ...). */
  code: string;
  status?: number;
  /** When the service said when to come back (429 reset, limit windows). */
  retryAfterMs?: number;
  /** The fields the service named (an invalid request's). */
  fields?: string[];
  cause?: unknown;
}

/** Every failure that leaves a connector. Its kind decides `retryable` and its name; messages
 * never carry a secret: connectors build them from codes and safe excerpts only. */
export class ConnectorError extends WorkError {
  readonly system: ExternalSystem;
  readonly kind: ConnectorFailureKind;
  readonly code: string;
  readonly status?: number;
  readonly fields: string[];

  constructor(message: string, opts: ConnectorErrorOptions) {
    const kind = KINDS[opts.kind];
    super(message, { name: kind.name, retryable: kind.retryable, retryAfterMs: opts.retryAfterMs, cause: opts.cause });
    this.system = opts.system;
    this.kind = opts.kind;
    this.code = opts.code;
    this.status = opts.status;
    this.fields = opts.fields ?? [];
  }
}

/** Salesforce refused a whole sObject Collections call (or a query) because of one field of one
 * object: a field the object no longer has (deleted after the settings were saved), or a value the
 * field's type cannot take. The same call without that field may go through. */
export class FieldRefusedError extends ConnectorError {
  override name = 'FieldRefusedError';
  readonly object: string;
  readonly field: string;
  constructor(message: string, opts: Omit<ConnectorErrorOptions, 'kind' | 'fields'> & { object: string; field: string }) {
    super(message, { ...opts, kind: 'invalid', fields: [opts.field] });
    this.object = opts.object;
    this.field = opts.field;
  }
}
