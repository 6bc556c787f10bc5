// HTTP inputs (query strings and JSON bodies) to control-request bodies. Pure; every refusal
// names the parameter and what it should be. The control schemas validate the rest.
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}

const ERRORS_LIST_PARAMS = ['direction', 'syncType', 'type', 'cause', 'since', 'until', 'limit', 'offset', 'all'];

function integer(name: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new BadRequestError(`query parameter ${name} must be a whole number, got "${v}"`);
  return Number(v);
}

/** Milliseconds since the epoch, or an ISO 8601 date/time. */
export function instant(name: string, v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms))
    throw new BadRequestError(`${name} must be milliseconds since 1970 or an ISO date such as 2024-05-01T12:00:00Z, got "${v}"`);
  return ms;
}

function refuseUnknown(q: URLSearchParams, known: readonly string[]): void {
  const unknown = [...new Set(q.keys())].filter((k) => !known.includes(k));
  if (unknown.length) throw new BadRequestError(`unknown query parameter(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
}

/** GET /api/:ws/errors?direction=&syncType=&cause=&since=&until=&limit=&offset= (`all=1` = every direction). */
export function errorsListRequest(q: URLSearchParams): Record<string, unknown> {
  refuseUnknown(q, ERRORS_LIST_PARAMS);
  const out: Record<string, unknown> = {};
  const direction = q.get('direction');
  if (direction) out.direction = direction;
  if (q.get('all') === '1' || q.get('all') === 'true') out.direction = 'all';
  const syncType = q.get('syncType') ?? q.get('type');
  if (syncType) out.syncType = syncType;
  const cause = q.get('cause');
  if (cause) out.cause = cause;
  for (const k of ['since', 'until'] as const) {
    const v = q.get(k);
    if (v) out[k] = instant(`query parameter ${k}`, v);
  }
  for (const k of ['limit', 'offset'] as const) {
    const v = q.get(k);
    if (v) out[k] = integer(k, v);
  }
  return out;
}

export function limitRequest(q: URLSearchParams): Record<string, unknown> {
  refuseUnknown(q, ['limit']);
  const v = q.get('limit');
  return v ? { limit: integer('limit', v) } : {};
}

export function directionRequest(q: URLSearchParams): Record<string, unknown> {
  refuseUnknown(q, ['direction']);
  const v = q.get('direction');
  return v ? { direction: v } : {};
}

/** A JSON body; empty means `{}`. Only objects are accepted. */
export function jsonBody(raw: Uint8Array): Record<string, unknown> {
  const text = Buffer.from(raw).toString('utf8').trim();
  if (text === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`request body is not JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadRequestError('request body must be a JSON object');
  return v as Record<string, unknown>;
}
