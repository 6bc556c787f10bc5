// Sync errors (a record failed to sync) and dead letters (a message could not be processed) are
// kept apart: the first are for the people who own the data, the second for operators.
import { z } from 'zod';
import { control, workMessage } from '../message.ts';
import { DirectionSchema, RunIdSchema, SfObjectSchema, SyncTypeSchema, nonNegInt } from './common.ts';

export const ErrorCauseSchema = z.enum([
  'validation_rule',
  'field_too_long',
  'invalid_value',
  'invalid_picklist_value',
  'unparseable_value',
  'duplicate',
  'permission',
  'not_found',
  'ambiguous_match',
  'required_field',
  'rate_limited',
  'conflict',
  'other',
]);
export type ErrorCause = z.infer<typeof ErrorCauseSchema>;

const Occurrence = {
  syncType: SyncTypeSchema,
  direction: DirectionSchema,
  sfObject: SfObjectSchema.nullable(),
  sfId: z.string().nullable(),
  icId: z.string().nullable(),
  attributes: z.array(z.string()),
  cause: ErrorCauseSchema,
  message: z.string(),
  /** Request and response excerpts, codes, candidates: never a secret. */
  details: z.record(z.string(), z.unknown()),
  run: RunIdSchema.nullable(),
};

export const ReportSyncError = workMessage('errors.report.v1', 'errors', z.object({ ...Occurrence, at: z.number() }));

/** A record synced cleanly on its retry or resync: its errors go away. */
export const SyncErrorResolved = workMessage(
  'errors.resolved.v1',
  'errors',
  z.object({
    errorIds: z.array(z.string()),
    sfId: z.string().nullable(),
    icId: z.string().nullable(),
    direction: DirectionSchema.nullable(),
    at: z.number(),
  }),
);

export const SyncErrorSchema = z.object({
  id: z.string(),
  ws: z.string(),
  ...Occurrence,
  firstAt: z.number(),
  lastAt: z.number(),
  attempts: z.number().int().positive(),
});
export type SyncError = z.infer<typeof SyncErrorSchema>;

export const ErrorsList = control(
  'errors',
  'errors.list',
  'Sync errors, newest first',
  z.object({
    direction: z.union([DirectionSchema, z.literal('all')]).default('intercom_to_salesforce'),
    syncType: SyncTypeSchema.optional(),
    cause: ErrorCauseSchema.optional(),
    since: z.number().optional(),
    until: z.number().optional(),
    limit: z.number().int().positive().max(500).default(50),
    offset: nonNegInt().default(0),
  }),
  z.object({ errors: z.array(SyncErrorSchema), total: nonNegInt() }),
);
export const ErrorsShow = control(
  'errors',
  'errors.show',
  'One sync error with its details',
  z.object({ id: z.string() }),
  z.object({ error: SyncErrorSchema }),
);
export const ErrorsCount = control(
  'errors',
  'errors.count',
  'Sync errors counted by cause',
  z.object({ direction: z.union([DirectionSchema, z.literal('all')]).default('all') }),
  z.object({ byCause: z.record(z.string(), nonNegInt()), total: nonNegInt() }),
);
export const ErrorsRetry = control(
  'errors',
  'errors.retry',
  'Retry sync errors: by id, or all of a cause',
  z.object({ ids: z.array(z.string()).default([]), cause: ErrorCauseSchema.optional(), by: z.string().default('unknown') }),
  z.object({ queued: nonNegInt() }),
);
export const Resync = control(
  'errors',
  'resync',
  'Sync one person now by email, Salesforce Id or Intercom id',
  z.object({ key: z.string().min(1), by: z.string().default('unknown') }),
  z.object({ queued: nonNegInt() }),
);

export const DeadLetterSchema = z.object({
  seq: nonNegInt(),
  subject: z.string(),
  reason: z.string(),
  error: z.string(),
  type: z.string().nullable(),
  originalSubject: z.string().nullable(),
  deliveries: nonNegInt().nullable(),
  at: z.string().nullable(),
  size: nonNegInt(),
});
export const DlqList = control(
  'errors',
  'dlq.list',
  'Dead letters of this workspace',
  z.object({ limit: z.number().int().positive().max(1000).default(100) }),
  z.object({ letters: z.array(DeadLetterSchema) }),
);
export const DlqReplay = control(
  'errors',
  'dlq.replay',
  'Publish dead letters to their original subject again',
  z.object({ seqs: z.array(nonNegInt()).min(1) }),
  z.object({ replayed: nonNegInt(), missing: z.array(nonNegInt()) }),
);
