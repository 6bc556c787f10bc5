// Bulk runs: what the coordinator hears from the pipeline, what it tells the world, and the
// control verbs people use.
import { z } from 'zod';
import { control, eventMessage, workMessage } from '../message.ts';
import { ActorNameSchema, BatchIdSchema, ChangeSchema, RunIdSchema, SfObjectSchema, nonNegInt } from './common.ts';

export const IndexRefreshed = workMessage(
  'coord.index-refreshed.v1',
  'coord',
  z.strictObject({
    run: RunIdSchema,
    contacts: nonNegInt(),
    pages: nonNegInt(),
  }),
);

/** One page of the index refresh listed and indexed: progress during the index phase. */
export const IndexPageListed = workMessage(
  'coord.index-page.v1',
  'coord',
  z.object({
    run: RunIdSchema,
    page: nonNegInt(),
    contacts: nonNegInt(),
    /** The contacts Intercom says the workspace has (`total_count`). */
    total: nonNegInt(),
  }),
);

export const PageScanned = workMessage(
  'coord.page-scanned.v1',
  'coord',
  z.strictObject({
    run: RunIdSchema,
    object: SfObjectSchema,
    page: nonNegInt(),
    records: nonNegInt(),
    batchIds: z.array(BatchIdSchema).max(100),
    last: z.boolean(),
  }),
);

export const DiffSampleSchema = z.strictObject({
  sfObject: SfObjectSchema,
  sfId: z.string(),
  icId: z.string(),
  changes: z.array(ChangeSchema),
});

export const BatchMapped = workMessage(
  'coord.batch-mapped.v1',
  'coord',
  z.strictObject({
    run: RunIdSchema,
    batchId: BatchIdSchema,
    scanned: nonNegInt(),
    inCommon: nonNegInt(),
    unmatched: nonNegInt(),
    ambiguous: nonNegInt(),
    skipped: nonNegInt(),
    unchanged: nonNegInt(),
    /** Pairs with a conversion failure (a sync error each). */
    failed: nonNegInt(),
    /** Write items the batch produced; the batch is done when all have reported. */
    parts: z.array(z.strictObject({ system: z.enum(['salesforce', 'intercom']), part: nonNegInt(), records: nonNegInt() })),
    /** Dry run: what would have been written. */
    wouldUpdate: z.strictObject({ salesforce: nonNegInt(), intercom: nonNegInt() }).default({ salesforce: 0, intercom: 0 }),
    sample: z.array(DiffSampleSchema).default([]),
  }),
);

export const PartWritten = workMessage(
  'coord.part-written.v1',
  'coord',
  z.strictObject({
    run: RunIdSchema,
    batchId: BatchIdSchema,
    system: z.enum(['salesforce', 'intercom']),
    part: nonNegInt(),
    updated: nonNegInt(),
    failed: nonNegInt(),
  }),
);

/** The host dead-lettered a work item of a run: the run cannot complete (it waits for an item that
 * will never report), so the coordinator ends it as failed, saying which item and why. */
export const WorkDeadLettered = workMessage(
  'coord.work-dead-lettered.v1',
  'coord',
  z.strictObject({
    run: RunIdSchema,
    stage: z.string().max(32),
    type: z.string().max(200).nullable(),
    subject: z.string().max(300),
    reason: z.string().max(32),
    error: z.string().max(2000),
    dlqSeq: nonNegInt(),
  }),
);

export const RunStatusSchema = z.enum(['running', 'paused', 'completed', 'stopped', 'failed']);
export const RunPhaseSchema = z.enum(['index', 'contacts', 'leads', 'done']);
/** Why a run stopped or failed; people may ask for the first two. */
export const StopReasonSchema = z.enum(['user', 'settings_changed', 'coordinator_lost', 'dead_letter', 'error']);
export const StopRequestReasonSchema = z.enum(['user', 'settings_changed']);

export const RunCountsSchema = z.strictObject({
  scanned: nonNegInt(),
  inCommon: nonNegInt(),
  unmatched: nonNegInt(),
  ambiguous: nonNegInt(),
  skipped: nonNegInt(),
  updatedSalesforce: nonNegInt(),
  updatedIntercom: nonNegInt(),
  unchanged: nonNegInt(),
  failed: nonNegInt(),
  /** Dry run only. */
  wouldUpdateSalesforce: nonNegInt(),
  wouldUpdateIntercom: nonNegInt(),
  /** Records in a call whose worker was lost before the answer, of a run that ended meanwhile:
   * they may or may not have been written (never counted as updated). */
  inDoubt: nonNegInt().default(0),
});
export type RunCounts = z.infer<typeof RunCountsSchema>;

export const RunSchema = z.strictObject({
  runId: RunIdSchema,
  ws: z.string(),
  status: RunStatusSchema,
  phase: RunPhaseSchema,
  /** Why it paused, stopped or failed. */
  reason: z.string().nullable(),
  /** What happened, in words, when the reason alone does not say (the dead letter that failed it). */
  detail: z.string().nullable().default(null),
  dryRun: z.boolean(),
  startedBy: z.string(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  settingsRevision: nonNegInt(),
  indexContacts: nonNegInt(),
  /** Index phase: contacts listed so far, and how many Intercom reported (null until known). */
  indexListed: nonNegInt().default(0),
  indexTotal: nonNegInt().nullable().default(null),
  /** Records Salesforce reported in the scanned objects, for percent and ETA. */
  expectedRecords: nonNegInt().nullable(),
  counts: RunCountsSchema,
  percent: z.number(),
  ratePerSecond: z.number(),
  etaSeconds: z.number().nullable(),
  sample: z.array(DiffSampleSchema),
  errorsUrl: z.string().nullable(),
});
export type Run = z.infer<typeof RunSchema>;

export const BulkProgress = eventMessage('bulk.progress.v1', 'bulk.progress', RunSchema);
export const BulkFinished = eventMessage('bulk.finished.v1', 'bulk.finished', RunSchema);

export const BulkStart = control(
  'coordinator',
  'bulk.start',
  'Start a bulk sync of every record in common',
  z.strictObject({ startedBy: ActorNameSchema.default('unknown'), dryRun: z.boolean().default(false) }),
  z.strictObject({ run: RunSchema }),
);
export const BulkStop = control(
  'coordinator',
  'bulk.stop',
  'Stop the running bulk sync (it can never be resumed)',
  z.strictObject({ reason: StopRequestReasonSchema.default('user'), by: ActorNameSchema.default('unknown') }),
  z.strictObject({ run: RunSchema.nullable() }),
);
export const BulkStatus = control(
  'coordinator',
  'bulk.status',
  'The current or last bulk run',
  z.strictObject({}),
  z.strictObject({ run: RunSchema.nullable() }),
);
export const BulkHistory = control(
  'coordinator',
  'bulk.history',
  'Summaries of past bulk runs, newest first',
  z.strictObject({ limit: z.number().int().positive().max(500).default(20) }),
  z.strictObject({ runs: z.array(RunSchema) }),
);
