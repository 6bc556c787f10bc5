// The quota actor: one leader per workspace (singleton under a lease) owns the workspace's
// Salesforce API budget. It answers token requests and the usage indicator, takes back unspent
// tokens and hears of every other call through its leader queue, and applies a new defined limit
// as soon as settings are saved.
import { ControlError, QuotaAcquire, QuotaRelease, QuotaUsage, QuotaUsageShow, SettingsSaved, WORK_CLASSES } from '../../protocol/index.ts';
import { type ActorContext, type ActorDef, endpoint, on, onEvent } from '../../runtime/index.ts';
import { DEFAULT_QUOTA_OPTIONS, QuotaLeader, QuotaUnavailableError, type QuotaOptions } from './leader.ts';

/** Leaders by the abort signal of the leadership they belong to: every context the host hands to
 * one leadership (start, endpoints, events, queue handlers) shares that signal, and a new
 * leadership (even in the same process) gets a new one. */
export interface QuotaActorHandle extends ActorDef {
  leaderOf(ctx: Pick<ActorContext, 'signal'>): QuotaLeader | null;
}

export function createQuotaActor(opts: Partial<QuotaOptions> = {}): QuotaActorHandle {
  const o: QuotaOptions = { ...DEFAULT_QUOTA_OPTIONS, ...opts };
  const leaders = new WeakMap<AbortSignal, QuotaLeader>();
  const leaderOf = (ctx: Pick<ActorContext, 'signal'>) => (ctx.signal.aborted ? null : (leaders.get(ctx.signal) ?? null));
  const need = (ctx: ActorContext) => {
    const l = leaderOf(ctx);
    if (!l) throw new QuotaUnavailableError(`not the quota leader of workspace ${ctx.ws} (any more)`);
    return l;
  };
  return {
    name: 'quota',
    singleton: true,
    // Every grant is stored by compare-and-set on the state the leader loaded before it is
    // answered (store.ts), so a deposed leader grants nothing more: a new one acts at once.
    fenced: true,
    leaderOf,
    queues: [
      {
        stage: 'quota',
        classes: WORK_CLASSES,
        // Many at once, so returns and reports arriving together share one KV write.
        concurrency: 64,
        handlers: [on(QuotaRelease, (body, ctx) => need(ctx).release(body)), on(QuotaUsage, (body, ctx) => need(ctx).usage(body))],
      },
    ],
    endpoints: [
      endpoint(QuotaAcquire, async (body, ctx) => {
        const l = leaderOf(ctx);
        // Leading but not started yet (or just stopped): a refusal makes the caller ask again.
        if (!l) return { grantId: null, granted: 0, tier: 'normal' as const, retryAfterMs: 250 };
        return l.acquire(body);
      }),
      endpoint(QuotaUsageShow, async (_body, ctx) => {
        const l = leaderOf(ctx);
        if (!l) throw new ControlError('not_leading', `the quota leader of workspace ${ctx.ws} is starting; ask again`, { status: 503 });
        await l.ready;
        return l.indicator();
      }),
    ],
    events: [onEvent(SettingsSaved, (body, ctx) => leaderOf(ctx)?.applyLimit(body.sfApiLimit, body.revision))],
    start(ctx) {
      // Registered before loading, so requests arriving meanwhile wait for it instead of missing it.
      leaders.set(ctx.signal, new QuotaLeader(ctx, o));
    },
    async stop(ctx) {
      const l = leaders.get(ctx.signal);
      leaders.delete(ctx.signal);
      await l?.stop();
    },
  };
}

export const quotaActor: QuotaActorHandle = createQuotaActor();
