// Shared by the quota integration tests: a probe actor whose context spends Salesforce API calls
// through the real token path (ctx.withTokens -> quota leader -> connector -> sandbox), and small
// readers of the quota leader's answers and events.
import { decode } from '@msgpack/msgpack';
import { ACTORS } from '../../actors/index.ts';
import { type Uses, uses } from '../../actors/services.ts';
import { defaultSettings } from '../../actors/mapping/index.ts';
import {
  type BodyOf,
  type EventDef,
  QuotaUsageShow,
  TierChanged,
  type Tier,
  type UsageIndicator,
  type WorkClass,
  subject,
} from '../../protocol/index.ts';
import { type ActorContext, Messenger, QuotaRefusedError, defineActor } from '../../runtime/index.ts';
import { type TestSystem, WS } from '../helpers/system.ts';
import { waitFor } from '../helpers/host.ts';

export type ProbeContext = ActorContext<Uses<'salesforce'>>;

/** Contexts of the probe, one per worker that hosts it, in start order. */
export const probes: ProbeContext[] = [];

const probeActor = defineActor({
  name: 'quota-probe',
  needs: uses('salesforce'),
  init: (ctx) => {
    probes.push(ctx);
  },
}).serve({});
ACTORS['quota-probe'] = probeActor;

export function messenger(sys: TestSystem): Messenger {
  return new Messenger(sys.nc, 'peoplesync', 'msgpack');
}

export function indicator(sys: TestSystem): Promise<UsageIndicator> {
  return messenger(sys).request(QuotaUsageShow, WS, {});
}

/** Until the leader answers, and (optionally) its figures satisfy `ok`. */
export function settled(sys: TestSystem, ok: (i: UsageIndicator) => boolean = () => true, what = 'quota figures'): Promise<UsageIndicator> {
  return waitFor(
    async () => {
      const i = await indicator(sys).catch(() => null);
      return i && ok(i) ? i : null;
    },
    { what, timeoutMs: 15_000 },
  );
}

export interface Spent {
  granted: number;
  leases: number;
  refused: QuotaRefusedError | null;
}

/**
 * Leases `lease` tokens at a time for `cls` and spends each in full on real Salesforce reads,
 * until refused or `upTo` tokens were granted.
 */
export async function spend(ctx: ProbeContext, cls: WorkClass, lease: number, upTo = Number.POSITIVE_INFINITY): Promise<Spent> {
  const sf = ctx.deps.salesforce(ctx.ws);
  const out: Spent = { granted: 0, leases: 0, refused: null };
  while (out.granted < upTo) {
    try {
      await ctx.withTokens(cls, lease, async (l) => {
        out.granted += l.granted;
        out.leases++;
        for (let i = 0; i < l.granted; i++) await sf.readPage('Contact', ['Id'], { limit: 1 });
      });
    } catch (err) {
      if (err instanceof QuotaRefusedError) {
        out.refused = err;
        return out;
      }
      throw err;
    }
  }
  return out;
}

/** One lease attempt of one token, spent on one read: the tier of a refusal, or 'granted'. */
export async function tryOne(ctx: ProbeContext, cls: WorkClass): Promise<'granted' | Tier> {
  const r = await spend(ctx, cls, 1, 1);
  return r.refused ? r.refused.tier : 'granted';
}

/** A new limit, saved as a person saves it (the mappings unchanged: no describe call needed). */
export function saveLimit(sys: TestSystem, sfApiLimit: number): Promise<void> {
  return sys.saveSettings(WS, defaultSettings({ sfApiLimit }));
}

/** Events of one type as they arrive (core subscription on its topic). */
export function events<D extends EventDef>(sys: TestSystem, def: D): Array<BodyOf<D>> {
  const seen: Array<BodyOf<D>> = [];
  sys.nc.subscribe(subject('peoplesync', { kind: 'evt', ws: WS, topic: def.topic }), {
    callback: (err, msg) => {
      if (!err) seen.push(decode(msg.data) as BodyOf<D>);
    },
  });
  return seen;
}

export const tierEvents = (sys: TestSystem) => events(sys, TierChanged);
