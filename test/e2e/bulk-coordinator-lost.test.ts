// The coordinator's process dies mid-run. Another worker, with a data directory of its own, takes
// over: the run fails (runs are never resumed) with counts told from what outlives a process, so
// they match what was written at the sandboxes (records a lost worker was writing at the moment it
// died are counted as in doubt), and the installer is emailed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkHistory, BulkStart, BulkStatus, type Run } from '../../protocol/index.ts';
import type { Worker } from '../../cli/worker.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT, type Snapshot, snapshot } from './bulk-expected.ts';

let sys: TestSystem;
let a: Worker;
let b: Worker;
let otherDir: string;
beforeAll(async () => {
  sys = await startSystem({
    generator: { people: 1_500, oddShare: 0 },
    settings: { pollIntervalSeconds: 86_400 },
    config: { ...FREE_PORT, queue: { ackWaitMs: 2_000, maxDeliver: 8 } },
  });
  a = await sys.startWorker();
  await waitFor(() => a.host.isLeading('coordinator', WS), { what: 'a leading', timeoutMs: 10_000 });
  otherDir = await mkdtemp(join(tmpdir(), 'ps-data-b-'));
  b = await sys.startWorker(undefined, { dataDir: otherDir });
});
afterAll(async () => {
  await sys?.stop();
  await rm(otherDir, { recursive: true, force: true });
});

/** Records each side holds now that differ in their write stamp from before. */
function written(before: Snapshot, after: Snapshot): { sf: number; ic: number } {
  let sf = 0;
  let ic = 0;
  for (const [id, { record }] of before.sf) if (after.sf.get(id)?.record.SystemModstamp !== record.SystemModstamp) sf++;
  for (const [id, c] of before.ic) if (after.ic.get(id)?.updated_at !== c.updated_at) ic++;
  return { sf, ic };
}

describe('losing the coordinator mid-run', () => {
  it('fails the run with the counts of what was written, wherever the successor runs', async () => {
    const before = snapshot(sys.sandboxes);
    const mails = sys.smtp.mails.length;
    sys.sandboxes.salesforce.setFaults({ latencyMs: 150 });
    const { run } = await a.host.messenger.request(BulkStart, WS, { startedBy: 'e2e' });
    await waitFor(
      async () => {
        const r = (await a.host.messenger.request(BulkStatus, WS, {})).run as Run;
        return r.counts.updatedSalesforce + r.counts.updatedIntercom > 100;
      },
      { what: 'writes under way', timeoutMs: 60_000 },
    );
    await a.nc.close(); // the coordinator's process is gone: nothing acked, released or flushed

    const failed = await waitFor(
      async () => {
        const r = (await b.host.messenger.request(BulkStatus, WS, {}, 5_000).catch(() => null))?.run;
        return r?.runId === run.runId && r.status === 'failed' ? r : null;
      },
      { what: 'the run failed by the successor', timeoutMs: 30_000 },
    );
    expect(failed).toMatchObject({ reason: 'coordinator_lost' });
    // Slow until now, so writes are in flight on the survivor when the run fails: they report late.
    sys.sandboxes.salesforce.clearFaults();

    // Work in flight finishes (or is dropped) and reports: wait until the counts stop moving.
    let last = '';
    const settled = await waitFor(
      async () => {
        await new Promise((r) => setTimeout(r, 3_000));
        const r = (await b.host.messenger.request(BulkHistory, WS, { limit: 1 })).runs[0];
        const now = JSON.stringify(r.counts);
        const same = now === last;
        last = now;
        return same ? r : null;
      },
      { what: 'counts to settle', timeoutMs: 60_000, intervalMs: 0 },
    );
    const w = written(before, snapshot(sys.sandboxes));
    const c = settled.counts;
    expect(w.sf + w.ic).toBeGreaterThan(100);
    // Exact: what was counted was written; the rest of what was written is what is in doubt.
    expect(c.updatedSalesforce).toBeLessThanOrEqual(w.sf);
    expect(c.updatedIntercom).toBeLessThanOrEqual(w.ic);
    expect(w.sf + w.ic).toBeLessThanOrEqual(c.updatedSalesforce + c.updatedIntercom + c.inDoubt);
    expect(c.inDoubt).toBeLessThanOrEqual(400); // at most the calls the lost worker had in flight
    expect(c.scanned).toBeGreaterThanOrEqual(c.inCommon);

    const mail = await sys.smtp.waitForMail(mails, 30_000);
    expect(mail.subject).toBe(`peoplesync: bulk sync failed (${WS})`);
    expect(mail.text).toContain('coordinator_lost');
  });
});
