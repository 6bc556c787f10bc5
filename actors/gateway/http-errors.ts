// Every failure the gateway answers, in the control plane's own shape
// `{ error: { code, message, status, details? } }`, and request validation by the protocol's zod
// schemas (a refusal names each field and what is wrong with it).
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { ControlError, DecodeError } from '../../protocol/index.ts';
import { WebhookBodyError } from './webhook.ts';

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** A request part that does not fit its schema: each issue as `<part>.<path>: <message>`. */
export class InvalidRequestError extends Error {
  override name = 'InvalidRequestError';
  readonly statusCode = 400;
  readonly code = 'invalid_request';
  constructor(part: string, issues: readonly z.core.$ZodIssue[]) {
    super(issues.map((i) => `${[part === 'querystring' ? 'query' : part, ...i.path.map(String)].join('.')}: ${i.message}`).join('; '));
  }
}

/** Fastify validates params, query and body with the route's zod schemas. */
export const zodCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const r = schema.safeParse(data);
    return r.success ? { value: r.data } : { error: new InvalidRequestError(httpPart ?? 'request', r.error.issues) };
  };

/** Fastify's own errors that mean the request was wrong, by their code. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_CSRF_MISSING_SECRET: 'csrf',
  FST_CSRF_INVALID_TOKEN: 'csrf',
};

const CSRF_MESSAGE = 'the CSRF token is missing or wrong: reload the page and try again (scripts use a bearer token instead)';

export interface ErrorReply {
  status: number;
  body: { error: { code: string; message: string; status: number; details?: unknown } };
  headers: Record<string, string>;
}

const reply = (status: number, code: string, message: string, headers: Record<string, string> = {}, details?: unknown): ErrorReply => ({
  status,
  headers,
  body: { error: { code, message, status, ...(details === undefined ? {} : { details }) } },
});

export function errorReply(err: unknown): ErrorReply {
  if (err instanceof ControlError) return reply(err.status, err.code, err.message, {}, err.details);
  if (err instanceof HttpError) return reply(err.status, err.code, err.message, err.headers);
  if (err instanceof InvalidRequestError || err instanceof DecodeError) return reply(400, 'invalid_request', err.message);
  if (err instanceof WebhookBodyError) return reply(400, 'bad_request', err.message);
  const e = err as { code?: string; statusCode?: number; message?: string };
  const code = e?.code ? FASTIFY_CODES[e.code] : undefined;
  if (code) return reply(e.statusCode ?? 400, code, code === 'csrf' ? CSRF_MESSAGE : (e.message ?? code));
  return reply(500, 'internal', e?.message ?? String(err));
}
