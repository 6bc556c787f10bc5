// The one errors module: every failure that crosses an actor's boundary says, as data, whether
// the work may be tried again (`retryable`) and when (`retryAfterMs`), and `failureOf` is the one
// place that reads that from any error, NATS's own included. Salesforce's and Intercom's answers
// are turned into these by their connectors' error maps (ConnectorError extends WorkError).
import type { DlqReason } from './headers.ts';

export interface WorkErrorOptions {
  retryable: boolean;
  /** When to come back (a rate limit's reset, a quota refusal's wait). */
  retryAfterMs?: number;
  /** The reason its dead letter names when the work fails for good (default: by `retryable`). */
  dlqReason?: DlqReason;
  cause?: unknown;
}

export class WorkError extends Error {
  override name = 'WorkError';
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly dlqReason?: DlqReason;
  constructor(message: string, opts: WorkErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.retryable = opts.retryable;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    if (opts.dlqReason !== undefined) this.dlqReason = opts.dlqReason;
  }
}

/** Try again later: the work is fine, something it needs is not (yet). */
export class RetryableError extends WorkError {
  override name = 'RetryableError';
  constructor(message: string, opts: Omit<WorkErrorOptions, 'retryable'> = {}) {
    super(message, { ...opts, retryable: true });
  }
}

/** Trying again cannot help: the item is dead-lettered (or recorded as a sync error). */
export class PermanentError extends WorkError {
  override name = 'PermanentError';
  constructor(message: string, opts: Omit<WorkErrorOptions, 'retryable'> = {}) {
    super(message, { ...opts, retryable: false });
  }
}

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

export function isTransientNatsError(err: unknown): boolean {
  if (!(err instanceof Error) || err.name !== 'NatsError' || !('code' in err)) return false;
  return typeof err.code === 'string' && TRANSIENT_NATS_CODES.has(err.code);
}

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
