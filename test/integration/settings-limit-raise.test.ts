import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { ControlError, QuotaAcquire, SettingsSave } from '../../protocol/index.ts';
import type { Worker } from '../../cli/worker.ts';
import { waitFor } from '../helpers/host.ts';
import { WS, startSystem, type TestSystem } from '../helpers/system.ts';

// At 100% of the defined limit nothing gets tokens, not even the describe calls that check new
// mappings; raising the limit must still be possible, or the workspace could never recover.
let sys: TestSystem;
let w: Worker;
beforeAll(async () => {
  sys = await startSystem({ generator: { people: 10 }, settings: { sfApiLimit: 10 } });
  w = await sys.startWorker(['quota', 'mapping']);
});
afterAll(async () => {
  await sys?.stop();
});

describe('raising the API limit at 100%', () => {
  it('saves a higher limit without a describe call, while new mappings still need one', async () => {
    const acquire = (cls: 'bulk' | 'interactive') => w.host.messenger.request(QuotaAcquire, WS, { cls, n: 10, holder: 't' });
    // Spend the whole budget (the leader needs a moment to be elected).
    await waitFor(async () => (await acquire('interactive').catch(() => null))?.granted, { what: 'a quota leader', timeoutMs: 10_000 });
    await waitFor(async () => (await acquire('interactive')).tier === 'exhausted', { what: 'budget exhausted' });
    expect((await acquire('interactive')).granted).toBe(0);

    const changed = defaultSettings({ sfApiLimit: 10 });
    changed.mappings = changed.mappings.slice(1);
    const refused = await w.host.messenger.request(SettingsSave, WS, { settings: changed }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ControlError);
    expect(refused).toMatchObject({ code: 'sf_budget_exhausted' });

    const raised = await w.host.messenger.request(SettingsSave, WS, { settings: defaultSettings({ sfApiLimit: 10_000 }), savedBy: 'ops' });
    expect(raised.revision).toBeGreaterThan(1);
    await waitFor(async () => (await acquire('bulk')).granted > 0, { what: 'bulk tokens after the raise' });
  });
});
