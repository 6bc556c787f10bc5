// WriteSalesforce: one sObject Collections call per item (bulk and event items may share one), then an
// audit event per record written, a sync error per record refused, and the part's tally for a
// bulk run. A call Salesforce refuses whole for one field goes again without it, that field's
// mapping reported once as a sync error. What each call did is recorded per record as soon as it
// answers (outcomes.ts): a redelivery, after a kill or after another call the item rode in failed,
// sends only the records no call has taken yet. A bulk run's updates go only while the run is
// on, asked right before each call: a stop withdraws those still waiting.
import type { SalesforceClient, SfRecordResult, SfRecordUpdate } from '../../connectors/index.ts';
import {
  type BodyOf,
  isSalesforceRequestLimit,
  PartWritten,
  RecordSynced,
  ReportSyncError,
  RetryableError,
  SyncErrorResolved,
  type WorkClass,
  type WriteSalesforce,
} from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import type { WriteBatcher } from './batcher.ts';
import { signalsSchemaChange, summariseSfFailure } from './error-causes.ts';
import { partKey } from './keys.ts';
import { ItemOutcomes, type Outcome } from './outcomes.ts';
import { refusedFor, reportRefused, updateWithoutRefused, type WriteResult } from '../refused-fields.ts';

type Ctx = HandlerContext<Uses<'salesforce' | 'now'>>;

type Body = BodyOf<typeof WriteSalesforce>;
type Update = Body['updates'][number];
/** An item riding in a call: its handler context and the records it brought. */
export interface Rider {
  ctx: Ctx;
  ids: ReadonlySet<string>;
}
export type SfBatcher = WriteBatcher<SfRecordUpdate, WriteResult, Rider>;

const DIRECTION = 'intercom_to_salesforce' as const;

/** A record left out of a call because its bulk run had ended: nothing of it was sent. */
type Withdrawn = SfRecordResult & { withdrawn: true };
const isWithdrawn = (r: SfRecordResult): r is Withdrawn => (r as Partial<Withdrawn>).withdrawn === true;

/** Sends what is still wanted, asked right before the call goes: the updates of an item whose
 * run has ended meanwhile (stopped while the call waited to fill or for tokens) are withdrawn. */
async function sendWanted(sf: SalesforceClient, owner: (id: string) => HandlerContext | undefined, updates: SfRecordUpdate[]) {
  const items = [...new Set(updates.map((u) => owner(u.id)))].filter((c): c is HandlerContext => !!c?.run);
  const ended = new Set<HandlerContext>();
  await Promise.all(items.map(async (c) => (await c.runActive()) || ended.add(c)));
  if (ended.size === 0) return sf.update(updates);
  const live = updates.filter((u) => !ended.has(owner(u.id) as HandlerContext));
  const answered = live.length ? await sf.update(live) : [];
  const byId = new Map(live.map((u, i) => [u.id, answered[i]]));
  return updates.map((u): SfRecordResult => byId.get(u.id) ?? ({ id: u.id, success: false, errors: [], withdrawn: true } as Withdrawn));
}

/** One logical update: a call under one token of the class, again without a refused field. The
 * riders say which item each record came from, for calls that carry several items' updates. */
function write(sf: SalesforceClient, cls: WorkClass, updates: SfRecordUpdate[], riders: readonly Rider[]): Promise<WriteResult[]> {
  const ctx = riders[0].ctx;
  const byId = new Map<string, HandlerContext>();
  for (const r of riders) for (const id of r.ids) byId.set(id, r.ctx);
  return updateWithoutRefused(
    updates,
    (u) => ctx.withTokens(cls, 1, () => sendWanted(sf, (id) => byId.get(id), u)),
    refusedFor(sf),
    (r) => reportRefused(ctx, r),
  );
}

function limitError(err: unknown): unknown {
  if (isSalesforceRequestLimit(err)) {
    // The org's daily limit is spent: wait for the quota actor to see usage fall, do not park the item.
    return new RetryableError(`Salesforce refused the update: ${(err as Error).message}`, {
      name: 'SalesforceLimitError',
      retryAfterMs: 60_000,
      cause: err,
    });
  }
  return err;
}

/** A call's result as recorded, and back: the fields left out travel with it. */
function asOutcome(r: WriteResult | undefined): Outcome {
  if (r?.success) return r.dropped.length ? { ok: true, dropped: r.dropped } : { ok: true };
  return { ok: false, error: { errors: r?.errors ?? [], dropped: r?.dropped ?? [] } };
}

function asResult(id: string, o: Outcome | undefined): WriteResult {
  if (o?.ok) return { id, success: true, errors: [], dropped: o.dropped ?? [] };
  const errors = (o?.error.errors ?? []) as SfRecordResult['errors'];
  return { id, success: false, errors, dropped: (o?.error.dropped ?? []) as string[] };
}

/** Sends the updates (shared calls when batched), recording each call's results as it answers;
 * throws the first call's failure once every call has settled. */
async function update(ctx: Ctx, updates: SfRecordUpdate[], batcher: SfBatcher | null, outcomes: ItemOutcomes): Promise<void> {
  const sf = ctx.deps.salesforce(ctx.ws);
  const rider: Rider = { ctx, ids: new Set(updates.map((u) => u.id)) };
  const parts = batcher
    ? batcher.submitParts(updates, { context: rider, heartbeat: () => ctx.working() })
    : [{ updates, promise: write(sf, ctx.cls, updates, [rider]) }];
  const settled = await Promise.allSettled(
    parts.map(async (p) => {
      const results = await p.promise;
      p.updates.forEach((u, i) => {
        // A withdrawn record has no outcome: nothing of it was sent.
        if (results[i] && isWithdrawn(results[i])) outcomes.withdraw(u.id);
        else outcomes.add(u.id, asOutcome(results[i]));
      });
      await outcomes.flush();
    }),
  );
  const failure = settled.find((x) => x.status === 'rejected');
  if (failure) throw limitError(failure.reason);
}

/** What a batcher sends: calls under leases of the class, taken by the first item. */
export function sendBatched(sf: SalesforceClient, cls: WorkClass) {
  return (updates: SfRecordUpdate[], members: { context: Rider }[]) =>
    write(
      sf,
      cls,
      updates,
      members.map((m) => m.context),
    );
}

function succeeded(body: Body, u: Update, dropped: readonly string[], ctx: Ctx, key: string): Promise<unknown>[] {
  const at = ctx.deps.now();
  const out: Promise<unknown>[] = [
    ctx.publish(
      RecordSynced,
      {
        direction: DIRECTION,
        syncType: ctx.cls,
        run: body.run,
        settingsRevision: body.settingsRevision,
        sfObject: u.object,
        sfId: u.id,
        icId: u.icId,
        changes: u.changes.filter((c) => !dropped.includes(c.attribute)),
        at,
      },
      { msgId: `synced:sf:${key}:${u.id}` },
    ),
  ];
  if (ctx.cls === 'retry' || ctx.cls === 'interactive') {
    const errorIds = body.updates.length === 1 ? body.errorIds : [];
    out.push(
      ctx.publish(SyncErrorResolved, { errorIds, sfId: u.id, icId: u.icId, direction: DIRECTION, at }, { msgId: `sfok:${key}:${u.id}` }),
    );
  }
  return out;
}

function failed(body: Body, u: Update, r: WriteResult, ctx: Ctx, key: string): Promise<unknown> {
  const s = summariseSfFailure(
    r.errors,
    Object.keys(u.fields).filter((f) => !r.dropped.includes(f)),
  );
  return ctx.publish(
    ReportSyncError,
    {
      syncType: ctx.cls,
      direction: DIRECTION,
      sfObject: u.object,
      sfId: u.id,
      icId: u.icId,
      attributes: s.attributes,
      cause: s.cause,
      message: s.message,
      details: { ...s.details, values: u.fields },
      run: body.run ?? null,
      at: ctx.deps.now(),
    },
    { msgId: `sferr:${key}:${u.id}` },
  );
}

export async function handleWriteSalesforce(body: Body, ctx: Ctx, batcher: SfBatcher | null): Promise<void> {
  const outcomes = await ItemOutcomes.load(ctx, 'salesforce', body);
  const todo = body.updates.filter((u) => !outcomes.get(u.id));
  if (todo.length) {
    await outcomes.sending(todo.map((u) => u.id));
    const updates = todo.map((u) => ({ type: u.object, id: u.id, fields: u.fields }));
    await update(ctx, updates, batcher, outcomes);
  }
  const key = partKey(body, ctx.cls);
  let updated = 0;
  let failures = 0;
  const sends: Promise<unknown>[] = [];
  for (const u of body.updates) {
    const o = outcomes.get(u.id);
    if (!o) continue; // withdrawn: its run ended before the call went
    const r = asResult(u.id, o);
    if (!r.success) failures += 1;
    if (r.success) {
      updated += 1;
      sends.push(...succeeded(body, u, r.dropped, ctx, key));
    } else if (r.errors.length > 0 || r.dropped.length === 0) {
      // The mapping's describe may be stale: the next batch reads it again.
      if (signalsSchemaChange(r.errors)) refusedFor(ctx.deps.salesforce(ctx.ws)).schemaChanged();
      sends.push(failed(body, u, r, ctx, key));
    }
    // Otherwise its only change was a refused field: the field's sync error stands for it.
  }
  await Promise.all(sends);
  if (!body.run) return;
  await ctx.publish(
    PartWritten,
    {
      run: body.run,
      batchId: body.batchId,
      system: 'salesforce',
      part: body.part,
      updated,
      failed: failures,
    },
    { msgId: `sfwritten:${key}` },
  );
}
