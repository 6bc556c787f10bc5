// The quota actor: one leader per workspace (singleton under a lease) owns the workspace's
// Salesforce API budget. It answers token requests and the usage indicator, takes back unspent
// tokens and hears of every other call through its leader queue, and applies a new defined limit
// as soon as settings are saved.
import { QuotaAcquire, QuotaRelease, QuotaUsage, QuotaUsageShow, SettingsSaved, WORK_CLASSES } from '../../protocol/index.ts';
import { type ActorDef, defineActor, endpoint, on, onEvent } from '../../runtime/index.ts';
import { uses } from '../services.ts';
import { DEFAULT_QUOTA_OPTIONS, QuotaLeader, type QuotaOptions } from './leader.ts';

export function createQuotaActor(opts: Partial<QuotaOptions> = {}): ActorDef<QuotaLeader> {
  const o: QuotaOptions = { ...DEFAULT_QUOTA_OPTIONS, ...opts };
  return defineActor({
    name: 'quota',
    needs: uses('salesforce', 'now'),
    singleton: true,
    // Every grant is stored by compare-and-set on the state the leader loaded before it is
    // answered (store.ts), so a deposed leader grants nothing more: a new one acts at once.
    fenced: true,
    // Loaded, claimed (its first write fences an older leader) and its limit read before anything
    // is bound: the first request already finds a leader that can answer.
    init: (ctx) => QuotaLeader.open(ctx, o),
    dispose: (leader) => leader.stop(),
  }).serve({
    queues: [
      {
        stage: 'quota',
        classes: WORK_CLASSES,
        // Many at once, so returns and reports arriving together share one KV write.
        concurrency: 64,
        handlers: [on(QuotaRelease, (body, _ctx, l) => l.release(body)), on(QuotaUsage, (body, _ctx, l) => l.usage(body))],
      },
    ],
    endpoints: [
      endpoint(QuotaAcquire, (body, _ctx, l) => l.acquire(body)),
      endpoint(QuotaUsageShow, async (_body, _ctx, l) => l.indicator()),
    ],
    events: [onEvent(SettingsSaved, (body, _ctx, l) => l.applyLimit(body.sfApiLimit, body.revision))],
  });
}

export const quotaActor = createQuotaActor();
