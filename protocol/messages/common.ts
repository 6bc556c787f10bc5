// Schema pieces shared by several message types.
import { z } from 'zod';
import { WORK_CLASSES } from '../subjects.ts';

export const WorkClassSchema = z.enum(WORK_CLASSES);
export const SfObjectSchema = z.enum(['Lead', 'Contact']);
export const DirectionSchema = z.enum(['salesforce_to_intercom', 'intercom_to_salesforce']);
export type Direction = z.infer<typeof DirectionSchema>;
/** The sync type shown with errors and audit events. */
export const SyncTypeSchema = z.enum(['bulk', 'event', 'retry', 'interactive']);

/** Ids that end up in subjects, KV keys and message ids are bounded where they enter. */
export const RunIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, - or _');
export const BatchIdSchema = z.string().min(1).max(200);
/** Who asked (audit fields of starts, stops, saves and retries). */
export const ActorNameSchema = z.string().max(200);

/** A Salesforce record as read (fields by API name). */
export const SfRecordSchema = z.looseObject({ Id: z.string().min(15).max(18), SystemModstamp: z.string().optional() });

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
