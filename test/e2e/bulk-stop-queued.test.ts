// Stopping a bulk run while its writes are queued (API-FACTS: Intercom's rate limit, here 5 calls a
// second, holds most of a run's updates in the pacer; the writer holds Salesforce updates to fill
// a call): no write of the run starts after the stop is acknowledged, and the stopped run's counts
// are exactly what the services received. The article: "You can manually stop the bulk sync at
// any stage before completion."
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkStart, BulkStatus, BulkStop, type Run } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT, snapshot, type Snapshot } from './bulk-expected.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({
    generator: { seed: 29, people: 600, differingShare: 1, duplicateShare: 0, oddShare: 0 },
    intercom: { rateLimit: { limit: 5, windowMs: 1_000 } },
    settings: { pollIntervalSeconds: 86_400 },
    config: FREE_PORT,
  });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

const m = () => sys.workers[0].host.messenger;
const status = async () => (await m().request(BulkStatus, WS, {})).run as Run;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const icPuts = () => sys.sandboxes.intercom.stats().calls['PUT /contacts/{id}'] ?? 0;

/** Records each service holds differently from before: what it received of the run. */
function changedSince(before: Snapshot): { salesforce: number; intercom: number } {
  const now = snapshot(sys.sandboxes);
  let salesforce = 0;
  let intercom = 0;
  for (const [id, r] of now.sf) if (r.record.SystemModstamp !== before.sf.get(id)?.record.SystemModstamp) salesforce += 1;
  for (const [id, c] of now.ic)
    if (c.updated_at !== before.ic.get(id)?.updated_at || JSON.stringify(c) !== JSON.stringify(before.ic.get(id))) intercom += 1;
  return { salesforce, intercom };
}

describe('stopping a bulk run while its writes are queued', () => {
  it('starts no write of the run after the stop is acknowledged, and counts exactly what was written', async () => {
    const before = snapshot(sys.sandboxes);
    const { run } = await m().request(BulkStart, WS, { startedBy: 'e2e' });
    // Writes are flowing, most of them waiting for the rate limit.
    await waitFor(() => icPuts() >= 15, { what: 'the first Intercom updates', timeoutMs: 45_000 });
    const stopped = await m().request(BulkStop, WS, { reason: 'user', by: 'e2e' });
    const acknowledgedAt = Date.now();
    expect(stopped.run).toMatchObject({ runId: run.runId, status: 'stopped' });

    // Long enough for every queued update to have gone, had the stop not withdrawn it.
    await settle(8_000);
    const last = {
      intercom: sys.sandboxes.intercom.stats().lastCallAt['PUT /contacts/{id}'] ?? 0,
      salesforce: sys.sandboxes.salesforce.stats().lastAt.update ?? 0,
    };
    expect(last.intercom).toBeLessThanOrEqual(acknowledgedAt);
    expect(last.salesforce).toBeLessThanOrEqual(acknowledgedAt);

    const received = changedSince(before);
    expect(received.intercom).toBeGreaterThan(0);
    const final = await status();
    expect(final).toMatchObject({ runId: run.runId, status: 'stopped', reason: 'user' });
    // No worker was lost: a withdrawn update was never sent, so nothing is in doubt.
    expect({
      salesforce: final.counts.updatedSalesforce,
      intercom: final.counts.updatedIntercom,
      failed: final.counts.failed,
      inDoubt: final.counts.inDoubt,
    }).toEqual({ ...received, failed: 0, inDoubt: 0 });
    // Far from every update the run would have made.
    expect(received.intercom).toBeLessThan(final.counts.inCommon);
  });
});
