// Schema pieces shared by several message types.
import { z } from 'zod';
import { WORK_CLASSES } from '../subjects.ts';
import { DirectionSchema } from '../enums.ts';

export const WorkClassSchema = z.enum(WORK_CLASSES);
/** The sync type shown with errors and audit events. */
export const SyncTypeSchema = z.enum(WORK_CLASSES);

/** Ids that end up in subjects, KV keys and message ids are bounded where they enter. */
export const RunIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, - or _');
export const BatchIdSchema = z.string().min(1).max(200);
/** Who asked (audit fields of starts, stops, saves and retries). */
export const ActorNameSchema = z.string().max(200);

/**
 * `schema`, checked without copying: a value that `fits` is taken as it is (the same object), and
 * only one that does not is parsed by `schema`, whose issues are reported. For loose objects that
 * come in hundreds (a batch's records), which `z.looseObject` would copy field by field: a fifth of
 * a 200-record batch's decode time, and garbage that outlived the message. `fits` must accept
 * nothing `schema` refuses (a unit test compares them).
 */
export function checkedInPlace<S extends z.ZodType>(schema: S, fits: (v: unknown) => boolean) {
  // A plain check function, not `superRefine`: that installs a new closure on every parse, and in
  // the worker's profile the closures kept whole batches alive past the message (promoted by the
  // garbage collector, then collected by full collections).
  return z.custom<z.output<S>>().check((payload) => {
    if (fits(payload.value)) return;
    const res = schema.safeParse(payload.value);
    if (!res.success)
      for (const i of res.error.issues) payload.issues.push({ code: 'custom', message: i.message, path: i.path, input: payload.value });
  });
}

/** A Salesforce record as read (fields by API name). */
export const SfRecordSchema = z.looseObject({ Id: z.string().min(15).max(18), SystemModstamp: z.string().optional() });

function isSfRecord(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const r = v as { Id?: unknown; SystemModstamp?: unknown };
  return (
    typeof r.Id === 'string' &&
    r.Id.length >= 15 &&
    r.Id.length <= 18 &&
    (r.SystemModstamp === undefined || typeof r.SystemModstamp === 'string')
  );
}

const MAX_BATCH_RECORDS = 2000;
/** A batch's Salesforce records, checked by `SfRecordSchema` in place. */
export const SfRecordsSchema = checkedInPlace(
  z.array(SfRecordSchema).max(MAX_BATCH_RECORDS),
  (v) => Array.isArray(v) && v.length <= MAX_BATCH_RECORDS && v.every(isSfRecord),
);

/** An Intercom contact as read; only what matching and mapping rely on is checked. */
export const IcContactSchema = z.looseObject({
  id: z.string().min(1).max(64),
  role: z.enum(['user', 'lead']),
  email: z.string().nullable(),
  external_id: z.string().nullable().optional(),
  updated_at: z.number(),
  custom_attributes: z.record(z.string(), z.unknown()),
});

/** One attribute changed (or to be changed) by a write. */
export const ChangeSchema = z.strictObject({
  attribute: z.string(),
  from: z.unknown(),
  to: z.unknown(),
  direction: DirectionSchema,
});
export type Change = z.infer<typeof ChangeSchema>;

export const nonNegInt = () => z.number().int().nonnegative();
