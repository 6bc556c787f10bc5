import { randomUUID } from 'node:crypto';
// The errors actor: records sync errors (one per record, direction, cause and attributes),
// removes them when the record syncs cleanly, and serves listing, retry, resync and the
// dead-letter endpoints. A pool actor: any number of instances share the `errors` queue.
import {
  ControlError,
  DlqList,
  DlqReplay,
  ErrorsCount,
  ErrorsList,
  ErrorsRetry,
  ErrorsShow,
  MatchResync,
  ReportSyncError,
  SyncErrorRecorded,
  Resync,
  SyncErrorResolved,
  type SyncError,
  WORK_CLASSES,
} from '../../protocol/index.ts';
import { type ActorContext, type ActorDef, endpoint, on } from '../../runtime/index.ts';
import { errorId } from './error-id.ts';
import { isResolvedBy } from './merge.ts';
import { countByCause, listErrors, retryItem } from './query.ts';
import { ResyncKeyError, type ResyncTarget, parseResyncKey } from './resync-key.ts';
import { ErrorStore } from './store.ts';

const store = async (ctx: ActorContext) => new ErrorStore(await ctx.kv('errors'));

async function retry(ctx: ActorContext, errors: SyncError[], by: string): Promise<number> {
  let queued = 0;
  for (const e of errors) {
    const item = retryItem(e, by);
    if (!item) {
      ctx.log.warn({ errorId: e.id }, 'sync error names no record: nothing to retry');
      continue;
    }
    // The id and last occurrence make a double click one retry, while a retry after the error
    // happened again is a new one.
    const requestId = `retry:${e.id}:${e.lastAt}`;
    await ctx.publish(MatchResync, { ...item, requestId }, { cls: 'retry', msgId: requestId });
    queued++;
  }
  return queued;
}

async function errorsToRetry(ctx: ActorContext, ids: string[], cause: string | undefined): Promise<SyncError[]> {
  const s = await store(ctx);
  if (ids.length === 0 && !cause) throw new ControlError('invalid_request', 'name the errors to retry: ids, or a cause', { status: 400 });
  const found = await s.getMany(ctx.ws, ids);
  const missing = ids.filter((_, i) => found[i] === null);
  if (missing.length) {
    throw new ControlError('not_found', `no sync error ${missing.join(', ')} in workspace ${ctx.ws}`, {
      status: 404,
      details: { missing },
    });
  }
  const byId = new Map<string, SyncError>(found.map((e) => [(e as SyncError).id, e as SyncError]));
  if (cause) for (const e of await s.all(ctx.ws)) if (e.cause === cause) byId.set(e.id, e);
  return [...byId.values()];
}

function resyncBody(t: ResyncTarget, errorIds: string[], by: string) {
  switch (t.kind) {
    case 'email':
      return { email: t.email, errorIds, requestedBy: by };
    case 'salesforce':
      return { sfObject: t.sfObject, sfId: t.sfId, errorIds, requestedBy: by };
    case 'intercom':
      return { icId: t.icId, errorIds, requestedBy: by };
  }
}

async function resync(ctx: ActorContext, key: string, by: string): Promise<{ queued: number; requestId: string }> {
  let target: ResyncTarget;
  try {
    target = parseResyncKey(key);
  } catch (err) {
    if (err instanceof ResyncKeyError) throw new ControlError('invalid_key', err.message, { status: 400 });
    throw err;
  }
  // Errors of the record travel along, so a clean sync clears exactly them.
  const known =
    target.kind === 'email'
      ? []
      : (await (await store(ctx)).all(ctx.ws))
          .filter((e) => (target.kind === 'salesforce' ? e.sfId === target.sfId : e.icId === target.icId))
          .map((e) => e.id);
  const requestId = `resync:${randomUUID()}`;
  await ctx.publish(MatchResync, { ...resyncBody(target, known, by), requestId }, { cls: 'interactive', msgId: requestId });
  return { queued: 1, requestId };
}

export const errorsActor: ActorDef = {
  name: 'errors',
  queues: [
    {
      stage: 'errors',
      classes: WORK_CLASSES,
      handlers: [
        on(ReportSyncError, async (report, ctx) => {
          const e = await (await store(ctx)).record(ctx.ws, report, errorId(ctx.ws, report));
          ctx.log.debug({ errorId: e.id, cause: e.cause, attempts: e.attempts }, 'sync error recorded');
          // One event per report: a redelivered report's copy is a duplicate by its message id.
          await ctx.publish(SyncErrorRecorded, e, { msgId: `errrec:${e.id}:${e.attempts}:${report.at}` });
        }),
        on(SyncErrorResolved, async (r, ctx) => {
          const s = await store(ctx);
          const found = r.errorIds.length ? await s.getMany(ctx.ws, r.errorIds) : await s.all(ctx.ws);
          // A failure recorded after the clean sync (lastAt > at) is newer news and stays.
          const done = found.filter((e): e is SyncError => e !== null && isResolvedBy(e, r)).map((e) => e.id);
          await s.remove(ctx.ws, done);
          if (done.length) ctx.log.debug({ errorIds: done }, 'sync errors resolved');
        }),
      ],
    },
  ],
  endpoints: [
    endpoint(ErrorsList, async (q, ctx) => listErrors(await (await store(ctx)).all(ctx.ws), q)),
    endpoint(ErrorsShow, async ({ id }, ctx) => {
      const e = await (await store(ctx)).get(ctx.ws, id);
      if (!e) throw new ControlError('not_found', `no sync error ${id} in workspace ${ctx.ws}`, { status: 404 });
      return { error: e };
    }),
    endpoint(ErrorsCount, async ({ direction }, ctx) => countByCause(await (await store(ctx)).all(ctx.ws), direction)),
    endpoint(ErrorsRetry, async ({ ids, cause, by }, ctx) => ({ queued: await retry(ctx, await errorsToRetry(ctx, ids, cause), by) })),
    endpoint(Resync, async ({ key, by }, ctx) => resync(ctx, key, by)),
    endpoint(DlqList, async ({ limit, after, ...filter }, ctx) => ctx.deadLetters.list(ctx.ws, { limit, after, filter })),
    endpoint(DlqReplay, async ({ seqs }, ctx) => ctx.deadLetters.replay(ctx.ws, seqs)),
  ],
};
