// Bulk runs: what the coordinator hears from the pipeline, what it tells the world, and the
// control verbs people use.
import { z } from 'zod';
import { control, eventMessage, workMessage } from '../message.ts';
import { ChangeSchema, RunIdSchema, SfObjectSchema, nonNegInt } from './common.ts';

export const IndexRefreshed = workMessage(
  'coord.index-refreshed.v1',
  'coord',
  z.object({
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
  z.object({
    run: RunIdSchema,
    object: SfObjectSchema,
    page: nonNegInt(),
    records: nonNegInt(),
    batchIds: z.array(z.string()),
    last: z.boolean(),
  }),
);

export const DiffSampleSchema = z.object({
  sfObject: SfObjectSchema,
  sfId: z.string(),
  icId: z.string(),
  changes: z.array(ChangeSchema),
});

export const BatchMapped = workMessage(
  'coord.batch-mapped.v1',
  'coord',
  z.object({
    run: RunIdSchema,
    batchId: z.string(),
    scanned: nonNegInt(),
    inCommon: nonNegInt(),
    unmatched: nonNegInt(),
    ambiguous: nonNegInt(),
    skipped: nonNegInt(),
    unchanged: nonNegInt(),
    /** Pairs with a conversion failure (a sync error each). */
    failed: nonNegInt(),
    /** Write items the batch produced; the batch is done when all have reported. */
    parts: z.array(z.object({ system: z.enum(['salesforce', 'intercom']), part: nonNegInt(), records: nonNegInt() })),
    /** Dry run: what would have been written. */
    wouldUpdate: z.object({ salesforce: nonNegInt(), intercom: nonNegInt() }).default({ salesforce: 0, intercom: 0 }),
    sample: z.array(DiffSampleSchema).default([]),
  }),
);

export const PartWritten = workMessage(
  'coord.part-written.v1',
  'coord',
  z.object({
    run: RunIdSchema,
    batchId: z.string(),
    system: z.enum(['salesforce', 'intercom']),
    part: nonNegInt(),
    updated: nonNegInt(),
    failed: nonNegInt(),
  }),
);

export const RunStatusSchema = z.enum(['running', 'paused', 'completed', 'stopped', 'failed']);
export const RunPhaseSchema = z.enum(['index', 'contacts', 'leads', 'done']);
export const StopReasonSchema = z.enum(['user', 'settings_changed', 'coordinator_lost', 'error']);

export const RunCountsSchema = z.object({
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
});
export type RunCounts = z.infer<typeof RunCountsSchema>;

export const RunSchema = z.object({
  runId: RunIdSchema,
  ws: z.string(),
  status: RunStatusSchema,
  phase: RunPhaseSchema,
  /** Why it paused, stopped or failed. */
  reason: z.string().nullable(),
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
  z.object({ startedBy: z.string().default('unknown'), dryRun: z.boolean().default(false) }),
  z.object({ run: RunSchema }),
);
export const BulkStop = control(
  'coordinator',
  'bulk.stop',
  'Stop the running bulk sync (it can never be resumed)',
  z.object({ reason: StopReasonSchema.default('user'), by: z.string().default('unknown') }),
  z.object({ run: RunSchema.nullable() }),
);
export const BulkStatus = control(
  'coordinator',
  'bulk.status',
  'The current or last bulk run',
  z.object({}),
  z.object({ run: RunSchema.nullable() }),
);
export const BulkHistory = control(
  'coordinator',
  'bulk.history',
  'Summaries of past bulk runs, newest first',
  z.object({ limit: z.number().int().positive().max(500).default(20) }),
  z.object({ runs: z.array(RunSchema) }),
);
