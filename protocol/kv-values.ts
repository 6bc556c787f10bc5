// The value of every KV entry, by bucket (keys: keys.ts and the stores named there). Every reader
// parses what it reads with one of these, so a value of another shape is refused here, by field,
// rather than taken for what a cast says it is.
//
//   settings  <ws>                         WorkspaceSettingsSchema (settings.ts)
//   runs      <ws>.runs.<run>              RunSchema (messages/bulk.ts)
//             <ws>.current                 CurrentRunSchema
//   cursors   <ws>.sf.<object>             SfCursorSchema
//             <ws>.ic                      IcCursorSchema
//             <ws>.stream                  ChangeStreamSchema
//             <ws>.clock                   PollClockSchema
//   leases    <actor>.<ws>                 LeaseValueSchema
//   index     <ws>.c.<icId>                IndexEntrySchema
//             <ws>.e.<hash> / <ws>.k.<hash>  LookupSchema
//             <ws>.d.<shard>               DirectoryShardSchema
//             <ws>.r.<run>.<page>          PageRecordSchema
//             <ws>.rs                      RefreshStateSchema
//   links     <ws>.sf.<sfId>               SfLinkSchema
//             <ws>.ic.<icId>               IcLinksSchema
//   reports   <ws>.<run>.<hash>            ReportSchema
//   writes    <ws>.<run or class>.<...>    WriteRecordSchema (records.ts)
//   errors    <ws>.<error id>              StoredErrorSchema
//   quota     <ws>                         LedgerSnapshotSchema
//
// Objects are read loosely (`kvValue`, `parseKvValue`), strict message schemas too: a value written
// by a later version with a field more still reads. (A field more inside a nested strict object
// does not.)
import { z } from 'zod';
import { SfObjectSchema } from './enums.ts';
import { WORK_CLASSES } from './subjects.ts';
import { IcContactSchema, RunIdSchema, nonNegInt } from './messages/common.ts';
import { BatchMapped, IndexPageListed, IndexRefreshed, PageScanned, PartWritten } from './messages/bulk.ts';
import { SyncErrorSchema } from './messages/errors.ts';

/** runs: which run is the workspace's current one. */
export const CurrentRunSchema = z.object({ runId: RunIdSchema });

/** cursors: where the next Salesforce change poll of an object reads on from, and when the last began. */
export const SfCursorSchema = z.object({ modstamp: z.string(), id: z.string(), polledAt: z.number().optional() });
export type SfCursor = z.infer<typeof SfCursorSchema>;
/** cursors: when the last Intercom change poll began (unix seconds). */
export const IcCursorSchema = z.object({ since: z.number().int() });
export type IcCursor = z.infer<typeof IcCursorSchema>;
/** cursors: the last Salesforce change event handled. */
export const ChangeStreamSchema = z.object({ replayId: z.number() });
/** cursors: when the poll clock last asked for a poll (ms). */
export const PollClockSchema = z.object({ askedAt: z.number() });

/** leases: who holds a singleton's lease, since when, and the subject that tells whether it lives. */
export const LeaseValueSchema = z.object({ holder: z.string().optional(), at: z.number().optional(), alive: z.string().optional() });
export type LeaseValue = z.infer<typeof LeaseValueSchema>;

/** index: one Intercom contact. Entries written before a field existed read with its default. */
export const IndexEntrySchema = z.object({
  id: z.string(),
  role: z.enum(['user', 'lead']),
  /** Normalised. */
  email: z.string().nullable().default(null),
  /** The attribute `matchKey` was read from; null when matching is by email. */
  keyAttr: z.string().nullable().default(null),
  /** Normalised value of `keyAttr`. */
  matchKey: z.string().nullable().default(null),
  /** Intercom's updated_at (unix seconds). */
  updatedAt: z.number(),
  /** When this entry was written (ms). */
  indexedAt: z.number().default(0),
  contact: IcContactSchema,
});
/** index: the value looked up (to tell a hash collision) and the contacts holding it. */
export const LookupSchema = z.object({ v: z.string(), ids: z.array(z.string()) });
export type Lookup = z.infer<typeof LookupSchema>;
/** index: contacts indexed other than by a refresh, one shard of them. */
export const DirectoryShardSchema = z.object({ ids: z.array(z.string()) });
/** index: the contacts one refresh page listed; `indexed` once they are (records without it are). */
export const PageRecordSchema = z.object({ ids: z.array(z.string()), indexed: z.boolean().default(true) });
export type PageRecord = z.infer<typeof PageRecordSchema>;
const ListingSchema = z.object({ run: z.string(), pages: nonNegInt() });
/** index: the current refresh, and earlier ones whose page records still name contacts. */
export const RefreshStateSchema = ListingSchema.extend({ done: z.boolean().optional(), earlier: z.array(ListingSchema).optional() });
export type RefreshState = z.infer<typeof RefreshStateSchema>;

/** links: the Intercom contact of a Salesforce record. */
export const SfLinkSchema = z.object({ icId: z.string(), object: SfObjectSchema });
export type SfLink = z.infer<typeof SfLinkSchema>;
/** links: the Lead and/or Contact of an Intercom contact. */
export const IcLinksSchema = z.object({ Lead: z.string().optional(), Contact: z.string().optional() });

/** reports: a report a coordinator counted (kept before it is counted). */
export const ReportSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('indexPage'), body: IndexPageListed.schema }),
  z.object({ kind: z.literal('indexed'), body: IndexRefreshed.schema }),
  z.object({ kind: z.literal('scanned'), body: PageScanned.schema }),
  z.object({ kind: z.literal('mapped'), body: BatchMapped.schema }),
  z.object({ kind: z.literal('written'), body: PartWritten.schema }),
]);

/** errors: a sync error with the occurrences already merged into it. */
export const StoredErrorSchema = SyncErrorSchema.extend({ seen: z.array(z.string()).default([]) });

/** quota: a ledger's usage window, buckets as [minute since epoch, calls], oldest first. */
export const UsageWindowSnapshotSchema = z.object({ v: z.literal(1), buckets: z.array(z.tuple([z.number().int(), nonNegInt()])) });

const GrantTuple = z.tuple([z.string(), z.enum(WORK_CLASSES), z.number().int().positive(), z.number()]);
const count = nonNegInt;
/** quota: a workspace's ledger; `window` is checked by the usage window it restores. */
export const LedgerSnapshotSchema = z.object({
  v: z.literal(1),
  window: z.unknown(),
  grants: z.array(GrantTuple),
  org: z.object({ used: count(), max: count(), at: z.number(), ownAt: count() }).nullable(),
  limitExceededAt: z.number().nullable(),
});

/** A stored value that does not fit its schema, with each field that is wrong. */
export class KvValueError extends Error {
  override name = 'KvValueError';
}

/** `schema` as a stored value is read: a strict object (a message schema such as a run's) takes
 * keys it does not know, so a value a later version wrote with a field more still reads. Made once
 * per schema. */
const asStored = new WeakMap<z.ZodType, z.ZodType>();
function stored<S extends z.ZodType>(schema: S): S {
  if (!(schema instanceof z.ZodObject)) return schema;
  let loose = asStored.get(schema);
  if (!loose) asStored.set(schema, (loose = schema.loose()));
  return loose as S;
}

/** The value parsed with its schema; throws KvValueError naming `what` and each wrong field. */
export function parseKvValue<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const r = stored(schema).safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');
  throw new KvValueError(`stored ${what} is not valid: ${issues}`);
}

/** The value parsed with its schema, or null when there is none or it does not fit: for readers
 * that treat a value of another shape as they treat a missing one. */
export function kvValue<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> | null {
  if (raw === null || raw === undefined) return null;
  const r = stored(schema).safeParse(raw);
  return r.success ? r.data : null;
}
