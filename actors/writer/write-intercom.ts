// WriteIntercom: PUT each contact's changed fields (the connector paces calls to the app's rate
// limit), a few at a time. Errors about one contact become sync errors; an error about the call
// itself (network, rate limit, credentials) fails the item. Each contact's outcome is recorded as
// it comes (outcomes.ts), so a redelivery updates only the contacts not done yet. Each contact as
// Intercom answered its write goes into the identity index, so the next diff compares with what
// Intercom holds now.
import { ConnectorError, type IcContact, type IcContactPatch } from '../../connectors/index.ts';
import { type BodyOf, PartWritten, RecordSynced, ReportSyncError, SyncErrorResolved, type WriteIntercom } from '../../protocol/index.ts';
import type { HandlerContext } from '../../runtime/index.ts';
import type { Uses } from '../services.ts';
import type { WorkspaceFacts } from '../domain/index.ts';
import { indexWritten } from '../matching/index.ts';
import { icErrorCause } from './error-causes.ts';
import { settleLimited } from './pool.ts';
import { partKey } from './keys.ts';
import { ItemOutcomes } from './outcomes.ts';

type Ctx = HandlerContext<Uses<'intercom' | 'now'>>;

type Body = BodyOf<typeof WriteIntercom>;
type Update = Body['updates'][number];

const DIRECTION = 'salesforce_to_intercom' as const;

function succeeded(body: Body, u: Update, ctx: Ctx, key: string): Promise<unknown>[] {
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

/** What a refusal about one contact keeps: enough to report it again without another call. */
function refusal(err: Error & { status?: number; code?: string; fields?: string[] }): Record<string, unknown> {
  return {
    cause: icErrorCause(err) ?? 'other',
    message: err.message,
    status: err.status ?? null,
    code: err.code ?? null,
    fields: err.fields ?? [],
  };
}

function failed(body: Body, u: Update, err: Record<string, unknown>, ctx: Ctx, key: string) {
  const cause = err.cause as ReturnType<typeof icErrorCause> & string;
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
      message: String(err.message),
      details: { status: err.status ?? null, code: err.code ?? null, fields: err.fields ?? [], patch: u.patch },
      run: body.run ?? null,
      at: ctx.deps.now(),
    },
    { msgId: `icerr:${key}:${u.id}` },
  );
}

export async function handleWriteIntercom(body: Body, ctx: Ctx, facts: WorkspaceFacts, concurrency: number): Promise<void> {
  const ic = ctx.deps.intercom(ctx.ws);
  const outcomes = await ItemOutcomes.load(ctx, 'intercom', body);
  const todo = body.updates.filter((u) => !outcomes.get(u.id));
  if (todo.length) await outcomes.sending(todo.map((u) => u.id));
  // A bulk run's update goes only while the run is on, asked right before it is sent: one that
  // waited for the rate limit past a stop is withdrawn, sending nothing.
  const opts = body.run ? { stillWanted: () => ctx.runActive() } : {};
  const answered: IcContact[] = [];
  const settled = await settleLimited(todo, concurrency, async (u) => {
    try {
      answered.push(await ic.updateContact(u.id, u.patch as IcContactPatch, opts));
      outcomes.add(u.id, { ok: true });
    } catch (err) {
      if (err instanceof ConnectorError && err.kind === 'withdrawn') {
        outcomes.withdraw(u.id);
        return;
      }
      // Anything not about this contact fails the item: retried when retryable, parked otherwise.
      if (icErrorCause(err) === null) throw err;
      outcomes.add(u.id, { ok: false, error: refusal(err as Error) });
    } finally {
      outcomes.flushSoon();
    }
  });
  await outcomes.flush();
  await indexWritten(ctx, facts, answered, body.settingsRevision);
  for (const o of settled) if (o.status === 'rejected') throw o.reason;
  const key = partKey(body, ctx.cls);
  let updated = 0;
  let failures = 0;
  const sends: Promise<unknown>[] = [];
  for (const u of body.updates) {
    const o = outcomes.get(u.id);
    if (!o) continue; // withdrawn: the run stopped before it went
    if (o.ok) {
      updated += 1;
      sends.push(...succeeded(body, u, ctx, key));
    } else {
      failures += 1;
      // A 404 means the link or index entry is stale: the sync error is all that follows.
      sends.push(failed(body, u, o.error, ctx, key));
    }
  }
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
