// Tiers end to end: a worker hosting the quota actor and a probe that spends real Salesforce calls
// (sandbox) through ctx.withTokens. Defined limit 200 calls: a lease is at most 2 tokens, bulk
// stops at 80 calls, event at 160, everything at 200.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARNING_EXHAUSTED, WARNING_SOON } from '../../actors/quota/index.ts';
import { FIRST_SAVE_CALLS, type TestSystem, startSystem } from '../helpers/system.ts';
import { waitFor } from '../helpers/host.ts';
import { UsageReported } from '../../protocol/index.ts';
import { events, indicator, probes, saveLimit, settled, spend, tierEvents, tryOne } from './quota-helpers.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({ generator: { people: 20 }, settings: { sfApiLimit: 200 } });
  await sys.startWorker(['quota', 'quota-probe']);
  await settled(sys);
});
afterAll(async () => {
  await sys?.stop();
});

describe('quota tiers', () => {
  it('bulk stops at 40%, event at 80%, everything at 100%; raising the limit resumes them', async () => {
    const events = tierEvents(sys);
    const probe = probes[0];
    // The first settings save read the describe: its calls are the workspace's first use.
    // The connector's first call is its OAuth token request, which Salesforce does not charge to
    // the daily limit: made now, outside any lease, it must leave the workspace's use as it was.
    await probe.deps.salesforce(probe.ws).connect();
    await new Promise((r) => setTimeout(r, 400)); // past the usage flush
    expect((await indicator(sys)).usedByWorkspace).toBe(FIRST_SAVE_CALLS);

    const bulk = await spend(probe, 'bulk', 2);
    expect(bulk.refused?.tier).toBe('bulk_paused');
    expect(FIRST_SAVE_CALLS + bulk.granted).toBe(80);
    expect(await indicator(sys)).toMatchObject({ usedByWorkspace: 80, consumptionPercent: 40, tier: 'bulk_paused', warning: null });
    expect(await tryOne(probe, 'event')).toBe('granted');
    expect(await tryOne(probe, 'bulk')).toBe('bulk_paused');

    const event = await spend(probe, 'event', 2);
    expect(event.refused?.tier).toBe('event_paused');
    expect(80 + 1 + event.granted).toBe(160);
    expect(await indicator(sys)).toMatchObject({ usedByWorkspace: 160, tier: 'event_paused', warning: WARNING_SOON });
    expect(await tryOne(probe, 'interactive')).toBe('granted');
    expect(await tryOne(probe, 'retry')).toBe('granted');
    expect(await tryOne(probe, 'bulk')).toBe('event_paused');

    const last = await spend(probe, 'interactive', 2);
    expect(last.refused?.tier).toBe('exhausted');
    expect(162 + last.granted).toBe(200);
    for (const cls of ['bulk', 'event', 'retry', 'interactive'] as const) expect(await tryOne(probe, cls)).toBe('exhausted');
    expect(await indicator(sys)).toMatchObject({
      definedLimit: 200,
      usedByWorkspace: 200,
      remaining: 0,
      consumptionPercent: 100,
      tier: 'exhausted',
      warning: WARNING_EXHAUSTED,
    });

    // Every call was made against the sandbox, which charged exactly as many.
    const sb = sys.sandboxes.salesforce;
    expect(sb.usage().own).toBe(200);

    await saveLimit(sys, 1000);
    await waitFor(async () => (await tryOne(probe, 'bulk')) === 'granted', {
      what: 'bulk tokens after raising the limit',
      timeoutMs: 5_000,
    });
    expect(await indicator(sys)).toMatchObject({ definedLimit: 1000, tier: 'normal', warning: null });
    await waitFor(() => events.length >= 4, { what: 'tier events' });
    expect(events.map((e) => `${e.previous}>${e.tier}`)).toEqual([
      'normal>bulk_paused',
      'bulk_paused>event_paused',
      'event_paused>exhausted',
      'exhausted>normal',
    ]);
  });

  it('unspent tokens of a lease go back', async () => {
    const probe = probes[0];
    const before = (await indicator(sys)).usedByWorkspace;
    await probe.withTokens('event', 10, async (lease) => {
      expect(lease.granted).toBe(10);
      expect((await indicator(sys)).usedByWorkspace).toBe(before + 10);
      await probe.deps.salesforce(probe.ws).readPage('Lead', ['Id'], { limit: 1 });
    });
    await settled(sys, (i) => i.usedByWorkspace === before + 1, 'the 9 unspent tokens returned');
  });

  it('reports usage on a change, at most once a second', async () => {
    const reports = events(sys, UsageReported);
    const probe = probes[0];
    const from = Date.now();
    for (let i = 0; i < 6; i++) {
      await spend(probe, 'event', 1, 1);
      await new Promise((r) => setTimeout(r, 400));
    }
    const final = await indicator(sys);
    await waitFor(() => reports.at(-1)?.usedByWorkspace === final.usedByWorkspace, { what: 'the last change reported' });
    const took = Date.now() - from;
    const gaps = reports.slice(1).map((r, i) => r.at - reports[i].at);
    expect(gaps.every((g) => g >= 1_000)).toBe(true);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.length).toBeLessThanOrEqual(Math.ceil(took / 1_000) + 1);
    expect(reports.at(-1)).toMatchObject({ ws: 'ws1', definedLimit: 1000, tier: 'normal', orgLimit: 100_000 });
  });
});
