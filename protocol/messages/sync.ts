// The path of a record: scan -> match -> map -> write. Bulk items carry the run id (and the
// `ps-run` header); event, retry and interactive items carry none.
import { z } from 'zod';
import { control, eventMessage, workMessage } from '../message.ts';
import {
  BatchIdSchema,
  ChangeSchema,
  IcContactSchema,
  RunIdSchema,
  SfRecordSchema,
  SfRecordsSchema,
  SyncTypeSchema,
  nonNegInt,
} from './common.ts';
import { DirectionSchema, SfObjectSchema } from '../enums.ts';

/** Which bulk batch an item belongs to: completion is counted per batch (and per write part). */
const BatchRef = { run: RunIdSchema.optional(), batchId: BatchIdSchema };

export const IndexRefresh = workMessage(
  'index.refresh.v1',
  'index',
  z.strictObject({
    run: RunIdSchema,
    page: nonNegInt(),
    cursor: z.string().nullable(),
  }),
);

export const ScanPage = workMessage(
  'scan.page.v2',
  'scan',
  z.strictObject({
    run: RunIdSchema,
    /** The settings revision the run started with: the fields each page reads. */
    settingsRevision: nonNegInt(),
    object: SfObjectSchema,
    page: nonNegInt(),
    afterId: z.string().nullable(),
  }),
);

/** Where a change poll reads on from: strictly after (SystemModstamp, Id). */
export const SfChangeCursorSchema = z.strictObject({ modstamp: z.string().min(1), id: z.string().min(15).max(18) });

/** Read Salesforce changes of these objects, all in one call (a composite of their queries). */
export const ScanChanges = workMessage(
  'scan.changes.v2',
  'scan',
  z
    .strictObject({
      objects: z.array(SfObjectSchema).min(1).max(2),
      /** When the poll was asked for (ms): an object polled since then is not read again for it. */
      at: nonNegInt(),
      /** The poll clock's tick, a change event, or the page after a full one. */
      reason: z.enum(['tick', 'stream', 'page']),
      /** A page after a full one reads on from here (one object). */
      after: SfChangeCursorSchema.optional(),
    })
    .refine((b) => (b.reason === 'page') === (b.after !== undefined) && (b.reason !== 'page' || b.objects.length === 1), {
      message: 'a page after a full one names one object and where to read on from; other polls name neither',
    }),
);

export const PollIntercom = workMessage('icpoll.tick.v1', 'icpoll', z.strictObject({ tick: nonNegInt() }));

/** Salesforce records to join against the identity index (<= 200). */
export const MatchRecords = workMessage(
  'match.records.v2',
  'match',
  z.strictObject({
    ...BatchRef,
    /** The settings the records were read with: their run's, or the current ones of a change poll. */
    settingsRevision: nonNegInt(),
    object: SfObjectSchema,
    records: SfRecordsSchema,
  }),
);

/** Intercom contacts that changed (webhook or poll): find their Salesforce side. */
export const MatchContacts = workMessage(
  'match.contacts.v1',
  'match',
  z.strictObject({
    contacts: z.array(IcContactSchema).min(1).max(200),
    source: z.enum(['webhook', 'poll']),
  }),
);

/** Re-read one person now from both systems (retry of a sync error, or a resync on demand). */
export const MatchResync = workMessage(
  'match.resync.v1',
  'match',
  z.strictObject({
    sfObject: SfObjectSchema.optional(),
    sfId: z.string().optional(),
    icId: z.string().optional(),
    email: z.string().optional(),
    errorIds: z.array(z.string()).default([]),
    requestedBy: z.string().optional(),
    /** One per request a person made: two requests about the same record are two resyncs, while a
     * redelivered request keeps its id (and its follow-ups stay duplicates). */
    requestId: z.string().optional(),
  }),
);

export const PairSchema = z.strictObject({
  object: SfObjectSchema,
  sf: SfRecordSchema,
  ic: IcContactSchema,
});

export const MapPairs = workMessage(
  'map.pairs.v1',
  'map',
  z.strictObject({
    ...BatchRef,
    /** Settings revision to diff with: fixed at run start for bulk, current for the rest. */
    settingsRevision: nonNegInt(),
    dryRun: z.boolean().default(false),
    pairs: z.array(PairSchema).max(2000),
    /** Counted by matching, carried so the batch reports once. */
    scanned: nonNegInt(),
    unmatched: nonNegInt(),
    ambiguous: nonNegInt(),
    skipped: nonNegInt().default(0),
    errorIds: z.array(z.string()).default([]),
    /** A resync or retry's request: mapping tells what it found for it (ResyncMapped). */
    requestId: z.string().max(200).optional(),
  }),
);

const WriteMeta = {
  ...BatchRef,
  part: nonNegInt(),
  settingsRevision: nonNegInt(),
  errorIds: z.array(z.string()).default([]),
};

export const SfUpdateSchema = z.strictObject({
  object: SfObjectSchema,
  id: z.string(),
  fields: z.record(z.string(), z.unknown()),
  icId: z.string(),
  changes: z.array(ChangeSchema),
});

export const WriteSalesforce = workMessage(
  'sfwrite.batch.v1',
  'sfwrite',
  z.strictObject({
    ...WriteMeta,
    updates: z.array(SfUpdateSchema).min(1).max(200),
  }),
);

export const IcUpdateSchema = z.strictObject({
  id: z.string(),
  patch: z.record(z.string(), z.unknown()),
  sfObject: SfObjectSchema,
  sfId: z.string(),
  changes: z.array(ChangeSchema),
});

export const WriteIntercom = workMessage(
  'icwrite.batch.v1',
  'icwrite',
  z.strictObject({
    ...WriteMeta,
    updates: z.array(IcUpdateSchema).min(1).max(200),
  }),
);

export const RecordSyncedSchema = z.strictObject({
  direction: DirectionSchema,
  syncType: SyncTypeSchema,
  run: RunIdSchema.optional(),
  settingsRevision: nonNegInt(),
  sfObject: SfObjectSchema,
  sfId: z.string(),
  icId: z.string(),
  changes: z.array(ChangeSchema),
  at: z.number(),
});

/** Audit: one record written, on `<p>.evt.<ws>.record.synced.<sfId>.<icId>`, so a person's
 * history is read by subject (`record.synced.<sfId>.>` or `record.synced.*.<icId>`). */
export const RecordSynced = eventMessage('record.synced.v1', 'record.synced', RecordSyncedSchema, (b) => [b.sfId, b.icId]);

/** What a resync (or retry) request found once its person was matched and diffed, on
 * `<p>.evt.<ws>.resync.mapped.<requestId>`: per pair the attributes to write each way and those
 * that could not be mapped; no pair when the person is not in both systems. The writes' outcomes
 * follow as RecordSynced and SyncErrorRecorded events of the same records. */
export const ResyncMapped = eventMessage(
  'resync.mapped.v1',
  'resync.mapped',
  z.strictObject({
    requestId: z.string().max(200),
    pairs: z.array(
      z.strictObject({
        sfObject: SfObjectSchema,
        sfId: z.string(),
        icId: z.string(),
        toSalesforce: z.array(z.string()),
        toIntercom: z.array(z.string()),
        failed: z.array(z.strictObject({ direction: DirectionSchema, attribute: z.string() })),
      }),
    ),
    unmatched: nonNegInt(),
    ambiguous: nonNegInt(),
    at: z.number(),
  }),
  (b) => [b.requestId],
);

/** One attribute change of a person's history, newest first. */
export const HistoryEntrySchema = z.object({
  at: z.number(),
  direction: DirectionSchema,
  attribute: z.string(),
  from: z.unknown(),
  to: z.unknown(),
  syncType: SyncTypeSchema,
  run: RunIdSchema.nullable(),
  sfObject: SfObjectSchema,
  sfId: z.string(),
  icId: z.string(),
  settingsRevision: nonNegInt(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const PersonHistory = control(
  'history',
  'history.person',
  'The changes synced for one person (email, Salesforce Id or Intercom id), newest first',
  z.strictObject({ key: z.string().min(1).max(320), limit: z.number().int().positive().max(1000).default(100) }),
  z.object({
    key: z.string(),
    /** The records the key led to: the person's Salesforce records and Intercom contacts. */
    sfIds: z.array(z.string()),
    icIds: z.array(z.string()),
    changes: z.array(HistoryEntrySchema),
    /** More changes exist than `limit`. */
    truncated: z.boolean(),
  }),
);
