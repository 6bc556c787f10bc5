// MapPairs: diff every matched pair with the batch's settings revision and send on what follows,
// each with a deterministic message id so a redelivered batch publishes nothing twice.
import type { SfObject } from '../../connectors/index.ts';
import {
  BatchMapped,
  type Direction,
  type BodyOf,
  type MapPairs,
  ReportSyncError,
  ResyncMapped,
  SyncErrorResolved,
  WriteIntercom,
  WriteSalesforce,
} from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import type { DiffContext } from './diff.ts';
import { type BatchPlan, type PairFailure, failedAttribute, failureCause, planBatch } from './plan-batch.ts';
import { refusedFieldError } from '../refused-fields.ts';
import type { SchemaSource } from './service-schema.ts';
import type { WorkspaceFacts } from '../domain/index.ts';

/** The clock, and both services' schemas. */
type Ctx = HandlerContext<Uses<'now' | 'salesforce' | 'intercom'>>;

type Body = BodyOf<typeof MapPairs>;

/** `<run or class>:<batchId>`: unique per batch, the same on every delivery. */
export function batchKey(body: { run?: string; batchId: string }, cls: string): string {
  return `${body.run ?? cls}:${body.batchId}`;
}

/** Error ids a retry carried apply to its records only when the item is about one record. */
export function errorIdsFor(body: { errorIds: string[] }, records: number): string[] {
  return records === 1 ? body.errorIds : [];
}

async function diffContext(body: Body, ctx: Ctx, schema: SchemaSource, tz: string, objects: SfObject[]): Promise<DiffContext> {
  const maxAge = schema.newerRevision(body.settingsRevision) ? 0 : undefined;
  const [describe, dataAttributes] = await Promise.all([
    schema.describe(ctx, objects, ctx.cls, maxAge),
    schema.dataAttributes(ctx, maxAge),
  ]);
  return { describe: describe as DiffContext['describe'], dataAttributes, tz };
}

function syncError(f: PairFailure, ctx: Ctx, run: string | null) {
  const { pair, failure } = f;
  return {
    syncType: ctx.cls,
    direction: failure.direction,
    sfObject: pair.object,
    sfId: pair.sf.Id,
    icId: pair.ic.id,
    attributes: [failedAttribute(failure)],
    cause: failureCause(failure.cause),
    message: failure.message,
    details: {
      value: failure.value,
      sfField: failure.sfField,
      icAttribute: failure.icAttribute,
      mappingId: failure.mappingId,
      conversion: failure.cause,
    },
    run,
    at: ctx.deps.now(),
  };
}

async function publishWrites(body: Body, plan: BatchPlan, ctx: Ctx, key: string): Promise<void> {
  const meta = { run: body.run, batchId: body.batchId, settingsRevision: body.settingsRevision };
  await Promise.all([
    ...plan.sfParts.map((updates, part) =>
      ctx.publish(
        WriteSalesforce,
        { ...meta, part, updates, errorIds: errorIdsFor(body, updates.length) },
        { msgId: `sfw:${key}:${part}` },
      ),
    ),
    ...plan.icParts.map((updates, part) =>
      ctx.publish(WriteIntercom, { ...meta, part, updates, errorIds: errorIdsFor(body, updates.length) }, { msgId: `icw:${key}:${part}` }),
    ),
  ]);
}

/** A mapping whose Salesforce field is gone (not in the describe, or left out of the read because
 * Salesforce refused it) fails every pair alike: one sync error about the mapping, no record, the
 * same one the reads and writes that met the refusal report. */
const FIELD_GONE: ReadonlySet<string> = new Set(['unknown_sf_field', 'field_not_loaded']);

function fieldGoneError(f: PairFailure, records: number, ctx: Ctx, run: string | null) {
  const { failure, pair } = f;
  const message = `${pair.object}.${failure.sfField} is not in Salesforce (any more): mapping ${failure.mappingId} is skipped for every record`;
  return {
    syncType: ctx.cls,
    ...refusedFieldError({ object: pair.object, field: failure.sfField, code: 'INVALID_FIELD', message, records }),
    run,
    at: ctx.deps.now(),
  };
}

async function publishErrors(body: Body, plan: BatchPlan, ctx: Ctx, key: string): Promise<void> {
  const run = body.run ?? null;
  const gone = new Map<string, { first: PairFailure; records: number }>();
  const perRecord: PairFailure[] = [];
  for (const f of plan.failures) {
    if (!FIELD_GONE.has(f.failure.cause)) perRecord.push(f);
    else {
      const seen = gone.get(f.failure.mappingId);
      gone.set(f.failure.mappingId, { first: seen?.first ?? f, records: (seen?.records ?? 0) + 1 });
    }
  }
  await Promise.all([
    ...perRecord.map((f) =>
      ctx.publish(ReportSyncError, syncError(f, ctx, run), { msgId: `maperr:${key}:${f.pair.sf.Id}:${f.failure.mappingId}` }),
    ),
    ...[...gone].map(([mappingId, g]) =>
      ctx.publish(ReportSyncError, fieldGoneError(g.first, g.records, ctx, run), { msgId: `maperr:${key}:mapping:${mappingId}` }),
    ),
  ]);
  // Retries and resyncs: pairs that are in sync now clear their earlier errors.
  if (ctx.cls !== 'retry' && ctx.cls !== 'interactive') return;
  const errorIds = errorIdsFor(body, body.pairs.length);
  await Promise.all(
    plan.resolved.map((r) =>
      ctx.publish(SyncErrorResolved, { ...r, errorIds, at: ctx.deps.now() }, { msgId: `mapok:${key}:${r.sfId}:${r.direction ?? 'both'}` }),
    ),
  );
}

async function reportBatch(body: Body, plan: BatchPlan, ctx: Ctx): Promise<void> {
  if (!body.run) return;
  const parts = [
    ...plan.sfParts.map((u, part) => ({ system: 'salesforce' as const, part, records: u.length })),
    ...plan.icParts.map((u, part) => ({ system: 'intercom' as const, part, records: u.length })),
  ];
  await ctx.publish(
    BatchMapped,
    {
      run: body.run,
      batchId: body.batchId,
      scanned: body.scanned,
      inCommon: plan.inCommon,
      unmatched: body.unmatched,
      ambiguous: body.ambiguous,
      skipped: body.skipped,
      unchanged: plan.unchanged,
      failed: plan.failed,
      parts,
      wouldUpdate: plan.wouldUpdate,
      sample: plan.sample,
    },
    { msgId: `mapped:${body.run}:${body.batchId}` },
  );
}

/** A resync or retry's request is told what its person's pairs need, before the writes' outcomes. */
async function tellRequest(body: Body, plan: BatchPlan, ctx: Ctx): Promise<void> {
  if (body.requestId === undefined) return;
  const pairs = new Map(
    body.pairs.map((p) => [
      p.sf.Id,
      {
        sfObject: p.object,
        sfId: p.sf.Id,
        icId: p.ic.id,
        toSalesforce: [] as string[],
        toIntercom: [] as string[],
        failed: [] as { direction: Direction; attribute: string }[],
      },
    ]),
  );
  for (const u of plan.sfParts.flat()) pairs.get(u.id)?.toSalesforce.push(...u.changes.map((c) => c.attribute));
  for (const u of plan.icParts.flat()) pairs.get(u.sfId)?.toIntercom.push(...u.changes.map((c) => c.attribute));
  for (const f of plan.failures) {
    pairs.get(f.pair.sf.Id)?.failed.push({ direction: f.failure.direction, attribute: failedAttribute(f.failure) });
  }
  await ctx.publish(
    ResyncMapped,
    { requestId: body.requestId, pairs: [...pairs.values()], unmatched: body.unmatched, ambiguous: body.ambiguous, at: ctx.deps.now() },
    { msgId: `resync-mapped:${body.requestId}` },
  );
}

export async function handleMapPairs(body: Body, ctx: Ctx, facts: WorkspaceFacts, schema: SchemaSource): Promise<void> {
  const { settings: s } = await facts.atRevision(body.settingsRevision);
  const objects = [...new Set(body.pairs.map((p) => p.object))].filter((o) => s.mappings.some((m) => m.sfObject === o));
  const diffCtx =
    objects.length > 0
      ? await diffContext(body, ctx, schema, s.timeZone, objects)
      : { describe: {} as DiffContext['describe'], dataAttributes: [], tz: s.timeZone };
  const plan = planBatch(body.pairs, s.mappings, diffCtx, { dryRun: body.dryRun });
  const key = batchKey(body, ctx.cls);
  await publishWrites(body, plan, ctx, key);
  // A dry run records no sync errors: nothing was attempted, and a retry of one would write.
  if (!body.dryRun) await publishErrors(body, plan, ctx, key);
  // Last, so that once the coordinator (or a waiting resync) hears of the batch every part it
  // names is queued.
  await reportBatch(body, plan, ctx);
  await tellRequest(body, plan, ctx);
}
