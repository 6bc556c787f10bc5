// A bulk run spends only the first 40% of the workspace's Salesforce API budget: it pauses there
// (status paused, reason api_capacity) and carries on by itself when the budget is raised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Msg } from 'nats';
import { BulkStart, BulkStatus, Headers, type Run, decodeMessage } from '../../protocol/index.ts';
import { DEFAULT_MAPPINGS, defaultSettings } from '../../actors/mapping/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT, expectedAfterRun, mismatches, snapshot } from './bulk-expected.ts';

const LIMIT = 10; // 40% = 4 calls: the run needs more than that (2 counts, 2 describes, 2 pages, writes)

let sys: TestSystem;
const seen: Run[] = [];
beforeAll(async () => {
  sys = await startSystem({
    generator: { people: 1_200, oddShare: 0 },
    settings: { sfApiLimit: LIMIT, pollIntervalSeconds: 86_400 },
    config: FREE_PORT,
  });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
  sys.nc.subscribe(`peoplesync.evt.${WS}.bulk.progress`, {
    callback: (_e, m: Msg) => {
      seen.push(decodeMessage(m.headers?.get(Headers.type), m.data, m.headers?.get(Headers.contentType)).body as Run);
    },
  });
});
afterAll(async () => {
  await sys?.stop();
});

describe('bulk run and the API budget', () => {
  it('pauses at 40% of the defined limit and resumes when the limit is raised', async () => {
    const m = sys.workers[0].host.messenger;
    const original = snapshot(sys.sandboxes);
    const exp = expectedAfterRun(original, DEFAULT_MAPPINGS);
    const { run } = await m.request(BulkStart, WS, { startedBy: 'e2e' });
    const paused = await waitFor(
      async () => {
        const r = (await m.request(BulkStatus, WS, {})).run;
        return r?.status === 'paused' ? r : null;
      },
      { what: 'paused', timeoutMs: 30_000 },
    );
    expect(paused).toMatchObject({ runId: run.runId, reason: 'api_capacity' });
    // It stays paused: calls granted before the tier changed may still land, then none.
    await new Promise((r) => setTimeout(r, 1_000));
    const calls = sys.sandboxes.salesforce.stats().charged;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sys.sandboxes.salesforce.stats().charged).toBe(calls);
    expect((await m.request(BulkStatus, WS, {})).run?.status).toBe('paused');
    expect(calls).toBeLessThanOrEqual(Math.ceil(LIMIT * 0.4) + 1);

    // The limit is raised through settings.save, as a person raises it: the mappings stay, so the
    // run is not stopped, and the quota hears of it.
    await sys.saveSettings(WS, defaultSettings({ sfApiLimit: 15_000, pollIntervalSeconds: 86_400 }));
    const done = await waitFor(
      async () => {
        const r = (await m.request(BulkStatus, WS, {})).run;
        return r && r.status !== 'running' && r.status !== 'paused' ? r : null;
      },
      { what: 'run end', timeoutMs: 30_000 },
    );
    expect(done).toMatchObject({ runId: run.runId, status: 'completed' });
    expect(seen.some((r) => r.runId === run.runId && r.status === 'paused')).toBe(true);
    expect(mismatches(original, snapshot(sys.sandboxes), exp)).toEqual([]);
  });
});
