// Turns whatever a call to Intercom ended with into one of the typed connector errors, so callers
// decide by class and `retryable` alone. Messages are built from the service's error code and
// message only, then scrubbed of the token as a second line of defence.
import { classifyIntercom, ConnectorError } from '../../protocol/index.ts';
import type { RateHeaders } from './pacer.ts';

export interface ServiceError {
  code: string;
  message: string;
  fields: string[];
}

/** Reads an `error.list` body; anything else yields a generic code. */
export function parseErrorBody(body: unknown, status: number): ServiceError {
  const list = (body as { errors?: unknown } | null)?.errors;
  if (Array.isArray(list) && list.length > 0) {
    const first = list[0] as { code?: unknown; message?: unknown };
    const fields = list.map((e) => (e as { field?: unknown }).field).filter((f): f is string => typeof f === 'string');
    return {
      code: typeof first.code === 'string' ? first.code : `http_${status}`,
      message: typeof first.message === 'string' ? first.message : '',
      fields,
    };
  }
  return { code: `http_${status}`, message: typeof body === 'string' ? body.slice(0, 200) : '', fields: [] };
}

export function redact(text: string, secret: string): string {
  return secret.length >= 4 ? text.split(secret).join('[REDACTED]') : text;
}

export interface HttpFailure {
  op: string;
  status: number;
  body: unknown;
  rate: RateHeaders;
  nowMs: number;
  secret: string;
  cause?: unknown;
}

/** Maps an HTTP answer that was not 2xx. */
export function errorForStatus(f: HttpFailure): ConnectorError {
  const e = parseErrorBody(f.body, f.status);
  const message = redact(`Intercom ${f.op} answered ${f.status} ${e.code}${e.message ? `: ${e.message}` : ''}`, f.secret);
  const kind = classifyIntercom(f.status);
  const retryAfterMs = kind === 'rate_limited' && f.rate.resetAtMs !== undefined ? Math.max(0, f.rate.resetAtMs - f.nowMs) : undefined;
  const fields = kind === 'invalid' ? e.fields : [];
  return new ConnectorError(message, { system: 'intercom', kind, code: e.code, status: f.status, retryAfterMs, fields, cause: f.cause });
}

/** Maps a failure without an HTTP status: timeout, refused or dropped connection. */
export function errorForTransport(
  op: string,
  kind: 'timeout' | 'network',
  detail: string,
  secret: string,
  cause?: unknown,
): ConnectorError {
  const message = redact(
    `Intercom ${op} failed: ${kind === 'timeout' ? 'timed out' : 'network error'}${detail ? ` (${detail})` : ''}`,
    secret,
  );
  return new ConnectorError(message, { system: 'intercom', kind: 'transient', code: kind, cause });
}
