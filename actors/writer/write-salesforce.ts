// WriteSalesforce: one sObject Collections call per item (bulk and event items may share one), then an
// audit event per record written, a sync error per record refused, and the part's tally for a
// bulk run. What each call did is recorded per record as soon as it answers (outcomes.ts): a
// redelivery, after a kill or after another call the item rode in failed, sends only the records
// no call has taken yet.
import type { SalesforceClient, SfRecordResult, SfRecordUpdate } from '../../connectors/index.ts';
import {
  type BodyOf,
  PartWritten,
  RecordSynced,
  ReportSyncError,
  SyncErrorResolved,
  type WorkClass,
  type WriteSalesforce,
} from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { WriteBatcher } from './batcher.ts';
import { summariseSfFailure } from './error-causes.ts';
import { partKey } from './keys.ts';
import { ItemOutcomes } from './outcomes.ts';

type Body = BodyOf<typeof WriteSalesforce>;
type Update = Body['updates'][number];
export type SfBatcher = WriteBatcher<SfRecordUpdate, SfRecordResult, HandlerContext>;

const DIRECTION = 'intercom_to_salesforce' as const;

/** The org's daily limit is spent: wait for the quota actor to see usage fall, do not park the item. */
export class SalesforceLimitError extends Error {
  override name = 'SalesforceLimitError';
  readonly retryable = true;
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, opts?: { cause?: unknown }) {
    super(message, opts);
    this.retryAfterMs = retryAfterMs;
  }
}

function limitError(err: unknown): unknown {
  if ((err as { code?: unknown }).code === 'REQUEST_LIMIT_EXCEEDED') {
    return new SalesforceLimitError(`Salesforce refused the update: ${(err as Error).message}`, 60_000, { cause: err });
  }
  return err;
}

/** Sends the updates (shared calls when batched), recording each call's results as it answers;
 * throws the first call's failure once every call has settled. */
async function update(ctx: HandlerContext, updates: SfRecordUpdate[], batcher: SfBatcher | null, outcomes: ItemOutcomes): Promise<void> {
  const sf = ctx.deps.salesforce(ctx.ws);
  const parts = batcher
    ? batcher.submitParts(updates, { context: ctx, heartbeat: () => ctx.working() })
    : [{ updates, promise: ctx.withTokens(ctx.cls, 1, () => sf.update(updates)) }];
  const settled = await Promise.allSettled(
    parts.map(async (p) => {
      const results = await p.promise;
      p.updates.forEach((u, i) => {
        const r = results[i];
        outcomes.add(u.id, r?.success ? { ok: true } : { ok: false, error: { errors: r?.errors ?? [] } });
      });
      await outcomes.flush();
    }),
  );
  const failure = settled.find((x) => x.status === 'rejected');
  if (failure) throw limitError(failure.reason);
}

/** What a batcher sends: one call under one lease of the class, taken by the first item. */
export function sendBatched(sf: SalesforceClient, cls: WorkClass) {
  return (updates: SfRecordUpdate[], members: { context: HandlerContext }[]) =>
    members[0].context.withTokens(cls, 1, () => sf.update(updates));
}

function succeeded(body: Body, u: Update, ctx: HandlerContext, key: string): Promise<unknown>[] {
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
        changes: u.changes,
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

function failed(body: Body, u: Update, r: SfRecordResult, ctx: HandlerContext, key: string): Promise<unknown> {
  const s = summariseSfFailure(r.errors, Object.keys(u.fields));
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

export async function handleWriteSalesforce(body: Body, ctx: HandlerContext, batcher: SfBatcher | null): Promise<void> {
  const outcomes = await ItemOutcomes.load(ctx, 'salesforce', body);
  const todo = body.updates.filter((u) => !outcomes.get(u.id));
  if (todo.length) {
    await outcomes.sending(todo.map((u) => u.id));
    await update(
      ctx,
      todo.map((u) => ({ type: u.object, id: u.id, fields: u.fields })),
      batcher,
      outcomes,
    );
  }
  const key = partKey(body, ctx.cls);
  let updated = 0;
  const sends: Promise<unknown>[] = [];
  for (const u of body.updates) {
    const o = outcomes.get(u.id);
    if (o?.ok) {
      updated += 1;
      sends.push(...succeeded(body, u, ctx, key));
    } else {
      const errors = (o?.error.errors ?? []) as SfRecordResult['errors'];
      sends.push(failed(body, u, { id: u.id, success: false, errors }, ctx, key));
    }
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
      failed: body.updates.length - updated,
    },
    { msgId: `sfwritten:${key}` },
  );
}
