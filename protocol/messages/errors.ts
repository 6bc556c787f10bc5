// Sync errors (a record failed to sync) and dead letters (a message could not be processed) are
// kept apart: the first are for the people who own the data, the second for operators.
import { z } from 'zod';
import { control, eventMessage, workMessage } from '../message.ts';
import { ActorNameSchema, RunIdSchema, SyncTypeSchema, nonNegInt } from './common.ts';
import { DirectionSchema, SfObjectSchema } from '../enums.ts';
import { DlqReasons } from '../headers.ts';
import { STAGES, type Stage } from '../subjects.ts';

/** A sync error's id: 24 hex characters (actors/errors/error-id.ts). Checked at the edge, so an
 * id of any other shape never reaches a KV key or a subject. */
export const ErrorIdSchema = z.string().regex(/^[0-9a-f]{24}$/, 'must be a sync error id (24 hex characters)');
/** The most dead letters one replay request takes; more are replayed in batches. */
export const DLQ_REPLAY_MAX = 1_000;
export const DLQ_LIST_MAX = 1_000;

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

export const ReportSyncError = workMessage('errors.report.v1', 'errors', z.strictObject({ ...Occurrence, at: z.number() }));

/** A record synced cleanly on its retry or resync: its errors go away. */
export const SyncErrorResolved = workMessage(
  'errors.resolved.v1',
  'errors',
  z.strictObject({
    errorIds: z.array(z.string()),
    sfId: z.string().nullable(),
    icId: z.string().nullable(),
    direction: DirectionSchema.nullable(),
    at: z.number(),
  }),
);

export const SyncErrorSchema = z.strictObject({
  id: z.string(),
  ws: z.string(),
  ...Occurrence,
  firstAt: z.number(),
  lastAt: z.number(),
  attempts: z.number().int().positive(),
});
export type SyncError = z.infer<typeof SyncErrorSchema>;

/** A sync error as recorded (new, or one more attempt), on
 * `<p>.evt.<ws>.sync-error.recorded.<sfId or ->.<icId or ->`: what a waiting resync or retry, or a
 * larger event backbone, hears of a record that failed to sync. */
export const SyncErrorRecorded = eventMessage('sync-error.recorded.v1', 'sync-error.recorded', SyncErrorSchema, (b) => [
  b.sfId ?? '-',
  b.icId ?? '-',
]);

export const ErrorsList = control(
  'errors',
  'errors.list',
  'Sync errors, newest first',
  z.strictObject({
    direction: z.union([DirectionSchema, z.literal('all')]).default('intercom_to_salesforce'),
    syncType: SyncTypeSchema.optional(),
    cause: ErrorCauseSchema.optional(),
    since: z.number().optional(),
    until: z.number().optional(),
    limit: z.number().int().positive().max(500).default(50),
    offset: nonNegInt().default(0),
  }),
  z.strictObject({ errors: z.array(SyncErrorSchema), total: nonNegInt() }),
);
export const ErrorsShow = control(
  'errors',
  'errors.show',
  'One sync error with its details',
  z.strictObject({ id: ErrorIdSchema }),
  z.strictObject({ error: SyncErrorSchema }),
);
export const ErrorsCount = control(
  'errors',
  'errors.count',
  'Sync errors counted by cause',
  z.strictObject({ direction: z.union([DirectionSchema, z.literal('all')]).default('all') }),
  z.strictObject({ byCause: z.record(z.string(), nonNegInt()), total: nonNegInt() }),
);
export const ErrorsRetry = control(
  'errors',
  'errors.retry',
  'Retry sync errors: by id, or all of a cause',
  z.strictObject({
    ids: z.array(ErrorIdSchema).max(1_000, 'at most 1000 ids a request; or retry by cause').default([]),
    cause: ErrorCauseSchema.optional(),
    by: ActorNameSchema.default('unknown'),
  }),
  z.strictObject({ queued: nonNegInt() }),
);
export const Resync = control(
  'errors',
  'resync',
  'Sync one person now by email, Salesforce Id or Intercom id',
  z.strictObject({ key: z.string().min(1).max(320), by: ActorNameSchema.default('unknown') }),
  /** `requestId` names the ResyncMapped event that tells what the resync found. */
  z.strictObject({ queued: nonNegInt(), requestId: z.string() }),
);

export const DeadLetterSchema = z.strictObject({
  seq: nonNegInt(),
  subject: z.string(),
  reason: z.string(),
  error: z.string(),
  type: z.string().nullable(),
  run: z.string().nullable(),
  originalSubject: z.string().nullable(),
  deliveries: nonNegInt().nullable(),
  at: z.string().nullable(),
  /** The original body's size; `truncated` when the letter keeps only its beginning (and digest). */
  size: nonNegInt(),
  truncated: z.boolean(),
  digest: z.string().nullable(),
});
export type DeadLetterInfo = z.infer<typeof DeadLetterSchema>;

/** Filters of a dead-letter listing; every one given must match. */
export const DlqFilterSchema = z.strictObject({
  reason: z.enum(DlqReasons).optional(),
  stage: z.enum(Object.keys(STAGES) as [Stage, ...Stage[]]).optional(),
  type: z.string().max(200).optional(),
  run: RunIdSchema.optional(),
});
export type DlqFilter = z.infer<typeof DlqFilterSchema>;

export const DlqList = control(
  'errors',
  'dlq.list',
  'Dead letters of this workspace, oldest first, a page at a time',
  z.strictObject({
    limit: z.number().int().positive().max(DLQ_LIST_MAX).default(100),
    /** Cursor: list letters with a sequence above this one (the `next` of the previous page). */
    after: nonNegInt().default(0),
    ...DlqFilterSchema.shape,
  }),
  /** `next`: the cursor of the following page, null at the end. */
  z.strictObject({ letters: z.array(DeadLetterSchema), next: nonNegInt().nullable() }),
);
export const DlqReplay = control(
  'errors',
  'dlq.replay',
  'Publish dead letters to their original subject again',
  z.strictObject({
    seqs: z
      .array(nonNegInt())
      .min(1)
      .max(DLQ_REPLAY_MAX, `at most ${DLQ_REPLAY_MAX} sequences a request: replay in batches (the CLI does)`),
  }),
  /** `truncated`: letters that keep only the beginning of a message too large to keep whole. */
  z.strictObject({ replayed: nonNegInt(), missing: z.array(nonNegInt()), truncated: z.array(nonNegInt()).default([]) }),
);
