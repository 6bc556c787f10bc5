// WriteIntercom: PUT each contact's changed fields (the connector paces calls to the app's rate
// limit), a few at a time. Errors about one contact become sync errors; an error about the call
// itself (network, rate limit, credentials) fails the whole item, which is redone on redelivery:
// an update sets values, so doing it twice is harmless. Each contact as Intercom answered its write
// goes into the identity index, so the next diff compares with what Intercom holds now.
import { CallWithdrawnError, type IcContact, type IcContactPatch } from '../../connectors/index.ts';
import { type BodyOf, PartWritten, RecordSynced, ReportSyncError, SyncErrorResolved, type WriteIntercom } from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import { indexWritten } from '../matching/index.ts';
import { icErrorCause } from './error-causes.ts';
import { settleLimited } from './pool.ts';
import { partKey } from './keys.ts';

type Body = BodyOf<typeof WriteIntercom>;
type Update = Body['updates'][number];

const DIRECTION = 'salesforce_to_intercom' as const;

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
        sfObject: u.sfObject,
        sfId: u.sfId,
        icId: u.id,
        changes: u.changes,
        at,
      },
      { msgId: `synced:ic:${key}:${u.id}` },
    ),
  ];
  if (ctx.cls === 'retry' || ctx.cls === 'interactive') {
    const errorIds = body.updates.length === 1 ? body.errorIds : [];
    out.push(
      ctx.publish(SyncErrorResolved, { errorIds, sfId: u.sfId, icId: u.id, direction: DIRECTION, at }, { msgId: `icok:${key}:${u.id}` }),
    );
  }
  return out;
}

function failed(
  body: Body,
  u: Update,
  err: Error & { status?: number; code?: string; fields?: string[] },
  ctx: HandlerContext,
  key: string,
) {
  const cause = icErrorCause(err) ?? 'other';
  return ctx.publish(
    ReportSyncError,
    {
      syncType: ctx.cls,
      direction: DIRECTION,
      sfObject: u.sfObject,
      sfId: u.sfId,
      icId: u.id,
      attributes: u.changes.map((c) => c.attribute),
      cause,
      message: err.message,
      details: { status: err.status ?? null, code: err.code ?? null, fields: err.fields ?? [], patch: u.patch },
      run: body.run ?? null,
      at: ctx.deps.now(),
    },
    { msgId: `icerr:${key}:${u.id}` },
  );
}

export async function handleWriteIntercom(body: Body, ctx: HandlerContext, concurrency: number): Promise<void> {
  const ic = ctx.deps.intercom(ctx.ws);
  // A bulk run's update goes only while the run is on, asked right before it is sent: one that
  // waited for the rate limit past a stop is withdrawn, sending nothing.
  const opts = body.run ? { stillWanted: () => ctx.runActive() } : {};
  const outcomes = await settleLimited(body.updates, concurrency, (u) => ic.updateContact(u.id, u.patch as IcContactPatch, opts));
  const withdrawn = (o: PromiseSettledResult<unknown>) => o.status === 'rejected' && o.reason instanceof CallWithdrawnError;
  // Anything not about one contact fails the item: retried when retryable, parked otherwise.
  for (const o of outcomes) {
    if (o.status === 'rejected' && !withdrawn(o) && icErrorCause(o.reason) === null) throw o.reason;
  }
  await indexWritten(
    ctx,
    outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value as IcContact] : [])),
    body.settingsRevision,
  );
  const key = partKey(body, ctx.cls);
  let updated = 0;
  let failures = 0;
  const sends: Promise<unknown>[] = [];
  outcomes.forEach((o, i) => {
    const u = body.updates[i];
    if (o.status === 'fulfilled') {
      updated += 1;
      sends.push(...succeeded(body, u, ctx, key));
    } else if (!withdrawn(o)) {
      failures += 1;
      // A 404 means the link or index entry is stale: the sync error is all that follows.
      sends.push(failed(body, u, o.reason as Error, ctx, key));
    }
  });
  await Promise.all(sends);
  if (!body.run) return;
  await ctx.publish(
    PartWritten,
    {
      run: body.run,
      batchId: body.batchId,
      system: 'intercom',
      part: body.part,
      updated,
      failed: failures,
    },
    { msgId: `icwritten:${key}` },
  );
}
