// Prometheus metrics from every worker, scraped during a bulk run and at its end: the records
// synced, sync errors and bulk counts match the run's summary; the Salesforce and Intercom calls
// match what the sandboxes answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkStart, BulkStatus, type Run } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import type { Worker } from '../../cli/worker.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(w: Worker): Promise<Sample[]> {
  const r = await fetch(w.metricsUrl as string);
  expect(r.status).toBe(200);
  return parse(await r.text());
}

/** The sum over every worker of the samples of one name whose labels include `match`. */
async function total(workers: Worker[], name: string, match: Record<string, string> = {}): Promise<number> {
  let sum = 0;
  for (const w of workers)
    for (const s of await scrape(w)) if (s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  return sum;
}

const METRICS = { http: { host: '127.0.0.1', port: 0 }, metrics: { host: '127.0.0.1', port: 0 } };

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({ generator: { people: 600, duplicateShare: 0.01 }, settings: { pollIntervalSeconds: 86_400 }, config: METRICS });
  await sys.startWorker();
  await sys.startWorker();
  await waitFor(() => sys.workers.some((w) => w.host.isLeading('coordinator', WS)), { what: 'a coordinator', timeoutMs: 10_000 });
});
afterAll(async () => {
  await sys?.stop();
});

describe('metrics', () => {
  it('count what a bulk run did, on every worker, as its summary says', async () => {
    const workers = sys.workers;
    const sfBefore = await total(workers, 'peoplesync_salesforce_calls_total');
    const icBefore = await total(workers, 'peoplesync_intercom_calls_total');
    const sfStats = sys.sandboxes.salesforce.stats().charged;
    const icStats = Object.values(sys.sandboxes.intercom.stats().calls).reduce((a, b) => a + b, 0);

    const m = workers[0].host.messenger;
    const { run: started } = await m.request(BulkStart, WS, { startedBy: 'metrics', dryRun: false });
    let scrapedActive = false;
    let end: Run | null = null;
    while (!end) {
      // During the run: the coordinator's worker shows it active, its progress so far.
      if ((await total(workers, 'peoplesync_bulk_active', { ws: WS })) === 1) scrapedActive = true;
      const r = (await m.request(BulkStatus, WS, {})).run;
      if (r && r.runId === started.runId && r.status !== 'running' && r.status !== 'paused') end = r;
      else await new Promise((res) => setTimeout(res, 100));
    }
    expect(end.status).toBe('completed');
    expect(scrapedActive).toBe(true);
    const c = end.counts;
    expect(c.updatedIntercom + c.updatedSalesforce).toBeGreaterThan(10);

    // The last progress may trail the status read by a moment.
    await waitFor(async () => (await total(workers, 'peoplesync_bulk_active', { ws: WS })) === 0, { what: 'the run ended in metrics' });
    const synced = (direction: string) => total(workers, 'peoplesync_records_synced_total', { ws: WS, direction, sync_type: 'bulk' });
    expect(await synced('salesforce_to_intercom')).toBe(c.updatedIntercom);
    expect(await synced('intercom_to_salesforce')).toBe(c.updatedSalesforce);
    expect(await total(workers, 'peoplesync_sync_errors_total', { ws: WS, sync_type: 'bulk' })).toBe(c.failed + c.ambiguous);
    for (const [count, value] of Object.entries({ scanned: c.scanned, inCommon: c.inCommon, unchanged: c.unchanged, failed: c.failed }))
      expect(await total(workers, 'peoplesync_bulk_records', { ws: WS, count })).toBe(value);
    expect(await total(workers, 'peoplesync_bulk_percent', { ws: WS })).toBe(100);

    // Calls: as many as the sandboxes answered (Salesforce: those charged to the limit).
    const sfCalls = (await total(workers, 'peoplesync_salesforce_calls_total')) - sfBefore;
    expect(sfCalls).toBe(sys.sandboxes.salesforce.stats().charged - sfStats);
    expect(await total(workers, 'peoplesync_salesforce_calls_total', { ws: WS, class: 'bulk' })).toBeGreaterThan(0);
    const icNow = Object.values(sys.sandboxes.intercom.stats().calls).reduce((a, b) => a + b, 0);
    expect((await total(workers, 'peoplesync_intercom_calls_total')) - icBefore).toBe(icNow - icStats);

    // Quota from the quota leader, queues from every consumer, no dead letters.
    expect(await total(workers, 'peoplesync_quota_tier', { ws: WS, tier: 'normal' })).toBe(1);
    expect(await total(workers, 'peoplesync_quota_used', { ws: WS })).toBeGreaterThan(0);
    const pending = (await scrape(workers[0])).filter((s) => s.name === 'peoplesync_queue_pending');
    expect(pending.map((s) => `${s.labels.stage}/${s.labels.class}`)).toEqual(
      expect.arrayContaining(['match/bulk', 'sfwrite/bulk', 'icwrite/bulk']),
    );
    expect(await total(workers, 'peoplesync_dead_letters_total')).toBe(0);
  });
});
