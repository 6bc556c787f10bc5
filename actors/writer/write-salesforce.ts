// WriteSalesforce: one sObject Collections call per item (bulk and event items may share one), then an
// audit event per record written, a sync error per record refused, and the part's tally for a
// bulk run. A call Salesforce refuses whole for one field goes again without it, that field's
// mapping reported once as a sync error. Redoing an update sets the same values again, so
// redelivery is harmless.
import type { SalesforceClient, SfRecordUpdate } from '../../connectors/index.ts';
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
import { signalsSchemaChange, summariseSfFailure } from './error-causes.ts';
import { partKey } from './keys.ts';
import { refusedFor, reportRefused, updateWithoutRefused, type WriteResult } from '../refused-fields.ts';

type Body = BodyOf<typeof WriteSalesforce>;
type Update = Body['updates'][number];
export type SfBatcher = WriteBatcher<SfRecordUpdate, WriteResult, HandlerContext>;

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

/** One logical update: a call under one token of the class, again without a refused field. */
function write(sf: SalesforceClient, ctx: HandlerContext, cls: WorkClass, updates: SfRecordUpdate[]): Promise<WriteResult[]> {
  return updateWithoutRefused(
    updates,
    (u) => ctx.withTokens(cls, 1, () => sf.update(u)),
    refusedFor(sf),
    (r) => reportRefused(ctx, r),
  );
}

async function update(ctx: HandlerContext, updates: SfRecordUpdate[], batcher: SfBatcher | null): Promise<WriteResult[]> {
  try {
    if (batcher) return await batcher.submit(updates, { context: ctx, heartbeat: () => ctx.working() });
    return await write(ctx.deps.salesforce(ctx.ws), ctx, ctx.cls, updates);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'REQUEST_LIMIT_EXCEEDED') {
      throw new SalesforceLimitError(`Salesforce refused the update: ${(err as Error).message}`, 60_000, { cause: err });
    }
    throw err;
  }
}

/** What a batcher sends: calls under leases of the class, taken by the first item. */
export function sendBatched(sf: SalesforceClient, cls: WorkClass) {
  return (updates: SfRecordUpdate[], members: { context: HandlerContext }[]) => write(sf, members[0].context, cls, updates);
}

function succeeded(body: Body, u: Update, dropped: readonly string[], ctx: HandlerContext, key: string): Promise<unknown>[] {
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

function failed(body: Body, u: Update, r: WriteResult, ctx: HandlerContext, key: string): Promise<unknown> {
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

export async function handleWriteSalesforce(body: Body, ctx: HandlerContext, batcher: SfBatcher | null): Promise<void> {
  const updates = body.updates.map((u) => ({ type: u.object, id: u.id, fields: u.fields }));
  const results = await update(ctx, updates, batcher);
  const key = partKey(body, ctx.cls);
  let updated = 0;
  const sends: Promise<unknown>[] = [];
  body.updates.forEach((u, i) => {
    const r = results[i] ?? { id: u.id, success: false, errors: [], dropped: [] };
    if (r.success) {
      updated += 1;
      sends.push(...succeeded(body, u, r.dropped, ctx, key));
    } else if (r.errors.length > 0 || r.dropped.length === 0) {
      // The mapping's describe may be stale: the next batch reads it again.
      if (signalsSchemaChange(r.errors)) refusedFor(ctx.deps.salesforce(ctx.ws)).schemaChanged();
      sends.push(failed(body, u, r, ctx, key));
    }
    // Otherwise its only change was a refused field: the field's sync error stands for it.
  });
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
