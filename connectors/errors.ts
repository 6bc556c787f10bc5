// Typed connector errors. Every failure that leaves a connector is one of these, so the caller
// (the actor host, the writer) can decide by `retryable` alone: nak with backoff, or record it.
// Messages never carry a secret: connectors build them from codes and safe excerpts only.

import { WorkError } from '../protocol/index.ts';

export type ExternalSystem = 'salesforce' | 'intercom';

export interface ConnectorErrorOptions {
  system: ExternalSystem;
  /** The service's own error code where it gave one (INVALID_SESSION_ID, not_found, ...). */
  code: string;
  status?: number;
  retryable: boolean;
  /** When the service said when to come back (429 reset, limit windows). */
  retryAfterMs?: number;
  cause?: unknown;
}

export class ConnectorError extends WorkError {
  override name = 'ConnectorError';
  readonly system: ExternalSystem;
  readonly code: string;
  readonly status?: number;

  constructor(message: string, opts: ConnectorErrorOptions) {
    super(message, opts);
    this.system = opts.system;
    this.code = opts.code;
    this.status = opts.status;
  }
}

/** Network failure, timeout, 5xx, UNABLE_TO_LOCK_ROW: try again later. */
export class TransientError extends ConnectorError {
  override name = 'TransientError';
  constructor(message: string, opts: Omit<ConnectorErrorOptions, 'retryable'>) {
    super(message, { ...opts, retryable: true });
  }
}

/** 429 from Intercom (or a concurrency limit): retry after `retryAfterMs`. */
export class RateLimitedError extends ConnectorError {
  override name = 'RateLimitedError';
  constructor(message: string, opts: Omit<ConnectorErrorOptions, 'retryable'>) {
    super(message, { ...opts, retryable: true });
  }
}

/** Salesforce 403 REQUEST_LIMIT_EXCEEDED: the org's daily budget is spent. Not retried by the
 * connector; the quota actor treats it as "org exhausted" until usage falls. */
export class RequestLimitExceededError extends ConnectorError {
  override name = 'RequestLimitExceededError';
  constructor(message: string, opts: Omit<ConnectorErrorOptions, 'retryable' | 'code'> & { code?: string }) {
    super(message, { ...opts, code: opts.code ?? 'REQUEST_LIMIT_EXCEEDED', retryable: false });
  }
}

/** Credentials refused and not renewable (401 after a refresh, bad client secret). */
export class AuthError extends ConnectorError {
  override name = 'AuthError';
  constructor(message: string, opts: Omit<ConnectorErrorOptions, 'retryable'>) {
    super(message, { ...opts, retryable: false });
  }
}

/** 404: the record is gone. */
export class NotFoundError extends ConnectorError {
  override name = 'NotFoundError';
  constructor(message: string, opts: Omit<ConnectorErrorOptions, 'retryable'>) {
    super(message, { ...opts, retryable: false });
  }
}

/** 409: Intercom refuses a duplicate (email taken by another contact). */
export class ConflictError extends ConnectorError {
  override name = 'ConflictError';
  constructor(message: string, opts: Omit<ConnectorErrorOptions, 'retryable'>) {
    super(message, { ...opts, retryable: false });
  }
}

/** 400/422: the request itself is wrong (invalid field, malformed query, bad value). */
export class ValidationError extends ConnectorError {
  override name = 'ValidationError';
  readonly fields: string[];
  constructor(message: string, opts: Omit<ConnectorErrorOptions, 'retryable'> & { fields?: string[] }) {
    super(message, { ...opts, retryable: false });
    this.fields = opts.fields ?? [];
  }
}

/** Salesforce refused a whole sObject Collections call because of one field of one object: a
 * field the object no longer has (deleted after the settings were saved), or a value the field's
 * type cannot take. The same call without that field may go through. */
export class FieldRefusedError extends ValidationError {
  override name = 'FieldRefusedError';
  readonly object: string;
  readonly field: string;
  constructor(message: string, opts: Omit<ConnectorErrorOptions, 'retryable'> & { object: string; field: string }) {
    super(message, { ...opts, fields: [opts.field] });
    this.object = opts.object;
    this.field = opts.field;
  }
}

/** The caller withdrew a call before it was sent (its work ended meanwhile): nothing reached the
 * service. */
export class CallWithdrawnError extends ConnectorError {
  override name = 'CallWithdrawnError';
  constructor(message: string, opts: Omit<ConnectorErrorOptions, 'retryable' | 'code'>) {
    super(message, { ...opts, code: 'WITHDRAWN', retryable: false });
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof ConnectorError ? err.retryable : false;
}
