import { describe, expect, it } from 'vitest';
import { FIRST_RUN_CALLS, Ledger, MAX_OPEN_GRANTS, UsageWindow, WARNING_EXHAUSTED, WARNING_SOON } from '../../actors/quota/index.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

function ledger(limit: number | null = 1000, timing = {}): Ledger {
  const l = new Ledger(timing);
  l.limit = limit;
  return l;
}

let ids = 0;
const id = () => `g${++ids}`;

describe('UsageWindow.remove', () => {
  it('takes calls back from the minute they were counted in, never more than it holds', () => {
    const w = new UsageWindow();
    w.add(5, T0);
    w.add(3, T0 + 2 * MIN);
    expect(w.remove(2, T0 + 30_000)).toBe(2);
    expect(w.total(T0 + 2 * MIN)).toBe(6);
    expect(w.remove(9, T0)).toBe(3);
    expect(w.buckets(T0 + 2 * MIN)).toEqual([[T0 / MIN + 2, 3]]);
    expect(w.remove(1, T0 + 50 * MIN)).toBe(0);
    expect(() => w.remove(-1, T0)).toThrow(/calls must be a whole number >= 0/);
  });
});

describe('UsageWindow total kept as a running sum', () => {
  it('agrees with a plain count of the last 24 hours through adds, returns, late stamps and roll-off', () => {
    const w = new UsageWindow();
    const log: Array<[minute: number, calls: number]> = [];
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    let now = T0;
    for (let step = 0; step < 5_000; step++) {
      now += rnd(3) === 0 ? rnd(40) * MIN : rnd(20_000);
      const at = rnd(10) === 0 ? now - rnd(30 * HOUR) : now; // some calls reported late
      if (rnd(4) === 0) {
        const taken = w.remove(rnd(5), at);
        const i = log.findIndex(([m]) => m === Math.floor(at / MIN));
        if (taken > 0) log[i][1] -= taken;
      } else {
        const calls = rnd(7);
        w.add(calls, at);
        log.push([Math.floor(at / MIN), calls]);
      }
      const oldest = Math.floor(now / MIN) - 1440;
      const expected = log.filter(([m]) => m > oldest).reduce((sum, [, c]) => sum + c, 0);
      expect(w.total(now)).toBe(expected);
    }
  });
});

describe('grants and returns', () => {
  it('at most MAX_OPEN_GRANTS leases wait for returns; the oldest beyond stay counted as spent', () => {
    const l = ledger(1_000_000_000);
    for (let i = 0; i <= MAX_OPEN_GRANTS; i++) l.acquire('event', 1, `o${i}`, T0);
    expect(l.openGrants).toBe(MAX_OPEN_GRANTS);
    expect(l.release('o0', 1, T0)).toBe(0);
    expect(l.release('o1', 1, T0)).toBe(1);
    expect(l.own(T0)).toBe(MAX_OPEN_GRANTS);
  });

  it('a grant counts as used at once; unspent tokens come back once', () => {
    const l = ledger(1000);
    const d = l.acquire('event', 8, 'a', T0);
    expect(d).toEqual({ grantId: 'a', granted: 8, tier: 'normal', retryAfterMs: 0 });
    expect(l.own(T0)).toBe(8);
    expect(l.release('a', 5, T0 + 10 * MIN)).toBe(5);
    expect(l.own(T0 + 10 * MIN)).toBe(3);
    expect(l.release('a', 5, T0 + 10 * MIN)).toBe(0); // redelivered return
    expect(l.release('nope', 5, T0)).toBe(0);
    expect(l.own(T0 + 10 * MIN)).toBe(3);
  });

  it('returns more than the lease held are capped at the lease', () => {
    const l = ledger(1000);
    l.report({ calls: 20, at: T0 }, T0);
    l.acquire('event', 4, 'a', T0);
    expect(l.release('a', 50, T0)).toBe(4);
    expect(l.own(T0)).toBe(20);
  });

  it('a lease is at most 1% of the limit', () => {
    expect(ledger(15_000).acquire('interactive', 1000, id(), T0).granted).toBe(150);
    expect(ledger(150).acquire('interactive', 1000, id(), T0).granted).toBe(1);
  });

  it('bulk stops at 40%, event at 80%, everything at 100%', () => {
    const l = ledger(1000);
    l.report({ calls: 399, at: T0 }, T0);
    expect(l.acquire('bulk', 10, id(), T0).granted).toBe(1);
    const refused = l.acquire('bulk', 10, id(), T0);
    expect(refused).toMatchObject({ grantId: null, granted: 0, tier: 'bulk_paused' });
    expect(l.acquire('event', 10, id(), T0).granted).toBe(10);
    l.report({ calls: 390, at: T0 }, T0);
    expect(l.acquire('event', 10, id(), T0).granted).toBe(0);
    expect(l.acquire('retry', 10, id(), T0)).toMatchObject({ granted: 10, tier: 'event_paused' });
    l.report({ calls: 185, at: T0 }, T0);
    expect(l.acquire('interactive', 10, id(), T0)).toMatchObject({ granted: 5, tier: 'exhausted' });
    for (const cls of ['bulk', 'event', 'retry', 'interactive'] as const) expect(l.acquire(cls, 1, id(), T0).granted).toBe(0);
  });

  it('raising the limit lets classes get tokens again at once', () => {
    const l = ledger(1000);
    l.report({ calls: 1000, at: T0 }, T0);
    expect(l.acquire('bulk', 1, id(), T0).granted).toBe(0);
    l.limit = 3000;
    expect(l.tier(T0)).toBe('normal');
    expect(l.acquire('bulk', 1, id(), T0).granted).toBe(1);
  });

  it('no defined limit: sync work gets nothing; the describe calls of a first save get tokens, charged', () => {
    const l = ledger(null);
    for (const cls of ['bulk', 'event', 'retry'] as const)
      expect(l.acquire(cls, 1, id(), T0)).toMatchObject({ granted: 0, tier: 'exhausted' });
    expect(l.acquire('interactive', 2, id(), T0)).toMatchObject({ granted: 2 });
    expect(l.own(T0)).toBe(2);
    expect(l.indicator('w', T0)).toMatchObject({ definedLimit: 0, usedByWorkspace: 2, consumptionPercent: 0, warning: null });
    // Bounded: a workspace without a limit cannot spend more than the first-run allowance.
    expect(l.acquire('interactive', FIRST_RUN_CALLS, id(), T0).granted).toBe(FIRST_RUN_CALLS - 2);
    expect(l.acquire('interactive', 1, id(), T0).granted).toBe(0);
    // The calls stay counted once a limit is defined.
    l.limit = 1000;
    expect(l.own(T0)).toBe(FIRST_RUN_CALLS);
  });

  it('tells a refused caller when enough use has rolled off', () => {
    const l = ledger(1000, { minRetryMs: 1_000, maxRetryMs: 20 * HOUR });
    l.report({ calls: 300, at: T0 }, T0);
    l.report({ calls: 200, at: T0 }, T0 + 5 * HOUR);
    // 500 used, bulk needs <= 399: the first 300 must roll off, 24 h after T0's minute began.
    expect(l.acquire('bulk', 1, id(), T0 + 6 * HOUR)).toMatchObject({ granted: 0, retryAfterMs: 18 * HOUR });
    expect(l.acquire('bulk', 1, id(), T0 + 24 * HOUR - 1).granted).toBe(0);
    expect(l.acquire('bulk', 1, id(), T0 + 24 * HOUR).granted).toBe(1);
    // An open lease may come back any moment: ask again soon. And never wait past the cap.
    expect(l.retryAfter('bulk', T0 + 24 * HOUR)).toBe(2_000);
    const capped = ledger(1000);
    capped.report({ calls: 500, at: T0 }, T0);
    expect(capped.acquire('bulk', 1, id(), T0).retryAfterMs).toBe(60_000);
  });
});

describe('the org as Salesforce reports it', () => {
  it('others = org-wide use minus this workspace, never negative; grants since the report are added', () => {
    const l = ledger(1000);
    l.report({ calls: 10, at: T0 }, T0);
    expect(l.indicator('w', T0)).toMatchObject({ orgLimit: null, orgUsed: null, usedByOthers: null });
    l.report({ calls: 0, orgUsed: 5010, orgMax: 100_000, at: T0 }, T0);
    expect(l.indicator('w', T0)).toMatchObject({ orgLimit: 100_000, orgUsed: 5010, usedByWorkspace: 10, usedByOthers: 5000 });
    l.acquire('event', 7, id(), T0);
    expect(l.indicator('w', T0)).toMatchObject({ orgUsed: 5017, usedByWorkspace: 17, usedByOthers: 5000 });
    l.report({ calls: 0, orgUsed: 3, orgMax: 100_000, at: T0 + 1 }, T0);
    expect(l.indicator('w', T0).usedByOthers).toBe(0);
    // The workspace's calls are part of the org's: the org never shows fewer.
    expect(l.indicator('w', T0)).toMatchObject({ orgUsed: 17, usedByWorkspace: 17 });
  });

  it('a figure Salesforce gave before grants made since it arrived keeps org = workspace + others', () => {
    // Salesforce said 186 (40 calls of this workspace among them) while 225 were granted: the
    // grants in flight are in the workspace's figure and must be in the org's too.
    const l = ledger(10_000);
    l.report({ calls: 40, at: T0 }, T0);
    l.acquire('event', 100, id(), T0);
    l.acquire('event', 85, id(), T0);
    l.report({ calls: 0, orgUsed: 186, orgMax: 15_000, at: T0 + 1 }, T0 + 2);
    const ind = l.indicator('w', T0 + 3);
    expect(ind.usedByWorkspace).toBe(225);
    expect(ind.orgUsed).toBeGreaterThanOrEqual(ind.usedByWorkspace);
    expect(ind.orgUsed).toBe((ind.usedByWorkspace as number) + (ind.usedByOthers as number));
    l.acquire('event', 10, id(), T0 + 4);
    const later = l.indicator('w', T0 + 5);
    expect(later.orgUsed).toBe(later.usedByWorkspace + (later.usedByOthers as number));
  });

  it('an older report does not replace a newer one', () => {
    const l = ledger(1000);
    l.report({ calls: 0, orgUsed: 900, orgMax: 1000, at: T0 + 5 }, T0);
    l.report({ calls: 0, orgUsed: 100, orgMax: 1000, at: T0 + 1 }, T0);
    expect(l.orgUsed(T0)).toBe(900);
  });

  it('grants never exceed what the org has left; an exhausted org stops every class', () => {
    const l = ledger(10_000);
    l.report({ calls: 0, orgUsed: 99_997, orgMax: 100_000, at: T0 }, T0);
    expect(l.acquire('interactive', 50, id(), T0).granted).toBe(3);
    expect(l.orgExhausted(T0)).toBe(true);
    expect(l.acquire('interactive', 1, id(), T0)).toMatchObject({ granted: 0, tier: 'exhausted' });
    const ind = l.indicator('w', T0);
    expect(ind).toMatchObject({ orgExhausted: true, tier: 'exhausted', remaining: 0, warning: null });
  });

  it('REQUEST_LIMIT_EXCEEDED holds until a /limits read begun after it shows room', () => {
    const l = ledger(1000, { orgRecheckMs: 30_000 });
    l.report({ calls: 1, limitExceeded: true, at: T0 }, T0);
    expect(l.acquire('interactive', 1, id(), T0 + 1)).toMatchObject({ granted: 0, tier: 'exhausted', retryAfterMs: 30_000 });
    expect(l.orgCheckDue(T0 + 1)).toBe(true);
    l.markOrgChecked(T0 + 1);
    expect(l.orgCheckDue(T0 + 29_000)).toBe(false);
    expect(l.orgCheckDue(T0 + 31_001)).toBe(true);
    l.limitsRead(100_000, 0, T0 + 31_001, T0 + 31_100);
    expect(l.orgExhausted(T0 + 31_100)).toBe(true);
    l.limitsRead(100_000, 10, T0 - 5, T0 + 31_200); // began before the refusal: proves nothing
    expect(l.orgExhausted(T0 + 31_200)).toBe(true);
    l.limitsRead(100_000, 10, T0 + 40_000, T0 + 40_100);
    expect(l.orgExhausted(T0 + 40_100)).toBe(false);
    expect(l.orgCheckDue(T0 + 100_000)).toBe(false);
    expect(l.acquire('interactive', 20, id(), T0 + 40_100).granted).toBe(10);
  });
});

describe('handing over to a new leader', () => {
  it('open leases stay counted, can still be returned, and a stored state round-trips', () => {
    const a = ledger(1000);
    a.report({ calls: 100, orgUsed: 7000, orgMax: 100_000, at: T0 }, T0);
    a.acquire('bulk', 10, 'x1', T0 + MIN);
    a.acquire('event', 10, 'x2', T0 + 2 * MIN);
    const b = Ledger.restore(JSON.parse(JSON.stringify(a.snapshot())));
    b.limit = 1000;
    expect(b.own(T0 + 3 * MIN)).toBe(120);
    expect(b.openGrants).toBe(2);
    expect(b.indicator('w', T0 + 3 * MIN)).toMatchObject({ orgUsed: 7020, usedByOthers: 6900 });
    expect(b.release('x2', 4, T0 + 3 * MIN)).toBe(4);
    expect(b.own(T0 + 3 * MIN)).toBe(116);
    expect(b.own(T0 + 24 * HOUR + MIN)).toBe(6); // x2's spent part is all that is left
  });

  it('forgotten leases stay counted as spent', () => {
    const l = ledger(1000);
    l.acquire('bulk', 10, 'old', T0);
    l.acquire('bulk', 10, 'new', T0 + 5 * MIN);
    expect(l.expireGrants(T0 + 3 * MIN, 2 * MIN)).toBe(1);
    expect(l.release('old', 10, T0 + 3 * MIN)).toBe(0);
    expect(l.own(T0 + 3 * MIN)).toBe(20);
    expect(l.openGrants).toBe(1);
  });

  it('an unreadable stored state is an error naming what is wrong', () => {
    expect(() =>
      Ledger.restore({ v: 1, window: { v: 1, buckets: [] }, grants: [['a', 'batch', 1, T0]], org: null, limitExceededAt: null }),
    ).toThrow(/quota state is invalid: grants\.0\.1/);
    expect(() => Ledger.restore({ v: 2 })).toThrow(/quota state is invalid: v/);
    expect(() => Ledger.restore({ v: 1, window: { v: 1 }, grants: [], org: null, limitExceededAt: null })).toThrow(/buckets array/);
  });
});

describe('the usage indicator', () => {
  it('every figure, and the warnings from 80% and at 100%', () => {
    const l = ledger(15_000);
    l.report({ calls: 11_999, orgUsed: 20_000, orgMax: 100_000, at: T0 }, T0);
    expect(l.indicator('ws1', T0)).toEqual({
      ws: 'ws1',
      orgLimit: 100_000,
      orgUsed: 20_000,
      definedLimit: 15_000,
      usedByWorkspace: 11_999,
      usedByOthers: 8_001,
      remaining: 3_001,
      consumptionPercent: (11_999 * 100) / 15_000,
      tier: 'bulk_paused',
      orgExhausted: false,
      warning: null,
      at: T0,
    });
    l.report({ calls: 1, at: T0 }, T0);
    expect(l.indicator('ws1', T0)).toMatchObject({ consumptionPercent: 80, tier: 'event_paused', warning: WARNING_SOON, remaining: 3_000 });
    l.report({ calls: 3_000, at: T0 }, T0);
    expect(l.indicator('ws1', T0)).toMatchObject({ consumptionPercent: 100, tier: 'exhausted', warning: WARNING_EXHAUSTED, remaining: 0 });
  });
});
