// Query strings of the JSON API as zod schemas (bodies are the control requests' own schemas).
// Query values arrive as text: numbers and instants are parsed here, with refusals that name the
// parameter and say what it should be.
import { z } from 'zod';
import {
  DirectionSchema,
  DlqFilterSchema,
  ErrorCauseSchema,
  type ErrorsList,
  type RequestOf,
  SyncTypeSchema,
} from '../../protocol/index.ts';

const whole = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform((v) => Number(v));

/** Milliseconds since the epoch, or an ISO 8601 date/time. */
export const instant = z.string().transform((v, ctx) => {
  if (/^\d+$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `must be milliseconds since 1970 or an ISO date such as 2024-05-01T12:00:00Z, got "${v}"` });
    return z.NEVER;
  }
  return ms;
});

const yes = z.enum(['1', 'true', '0', 'false']).transform((v) => v === '1' || v === 'true');

export const WsParams = z.object({ ws: z.string().min(1) });
export const ErrorParams = WsParams.extend({ id: z.string().min(1) });
export const PersonParams = WsParams.extend({ key: z.string().min(1) });

/** GET /api/:ws/errors?direction=&syncType=&cause=&since=&until=&limit=&offset= (`all=1`: both directions). */
export const ErrorsQuery = z.strictObject({
  direction: z.union([DirectionSchema, z.literal('all')]).optional(),
  all: yes.optional(),
  syncType: SyncTypeSchema.optional(),
  type: SyncTypeSchema.optional(),
  cause: ErrorCauseSchema.optional(),
  since: instant.optional(),
  until: instant.optional(),
  limit: whole.optional(),
  offset: whole.optional(),
});
export type ErrorsQuery = z.infer<typeof ErrorsQuery>;

export function errorsListRequest(q: ErrorsQuery): Partial<RequestOf<typeof ErrorsList>> {
  const out: Partial<RequestOf<typeof ErrorsList>> = {};
  if (q.direction) out.direction = q.direction;
  if (q.all) out.direction = 'all';
  const syncType = q.syncType ?? q.type;
  if (syncType) out.syncType = syncType;
  if (q.cause) out.cause = q.cause;
  for (const k of ['since', 'until', 'limit', 'offset'] as const) if (q[k] !== undefined) out[k] = q[k];
  return out;
}

export const LimitQuery = z.strictObject({ limit: whole.optional() });
/** GET /api/:ws/dlq?limit=&after=&reason=&stage=&type=&run= (`after`: the `next` of the previous page). */
export const DlqQuery = DlqFilterSchema.extend({ limit: whole.optional(), after: whole.optional() });
export const DirectionQuery = z.strictObject({ direction: z.union([DirectionSchema, z.literal('all')]).optional() });
