// Two workers share a bulk run's queues; one dies mid-run without acking anything. Its items come
// back to the other: the run completes with exact counts and the exact final state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkStart, BulkStatus, ControlError, type Run } from '../../protocol/index.ts';
import { DEFAULT_MAPPINGS } from '../../actors/mapping/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT, expectedAfterRun, mismatches, snapshot } from './bulk-expected.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({
    generator: { people: 1_500, oddShare: 0, duplicateShare: 0.01 },
    settings: { pollIntervalSeconds: 86_400 },
    // Unacked items of the dead worker come back after this.
    config: { ...FREE_PORT, queue: { ackWaitMs: 2_000, maxDeliver: 8 } },
  });
  const a = await sys.startWorker();
  await waitFor(() => a.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
  await sys.startWorker();
});
afterAll(async () => {
  await sys?.stop();
});

describe('losing a worker mid-run', () => {
  it('loses nothing and counts nothing twice', async () => {
    const [a, b] = sys.workers;
    const original = snapshot(sys.sandboxes);
    const exp = expectedAfterRun(original, DEFAULT_MAPPINGS);
    const mails = sys.smtp.mails.length;
    sys.sandboxes.salesforce.setFaults({ latencyMs: 150 });
    const { run } = await a.host.messenger.request(BulkStart, WS, { startedBy: 'e2e' });
    await waitFor(async () => ((await a.host.messenger.request(BulkStatus, WS, {})).run?.counts.scanned ?? 0) > 0, {
      what: 'first batch counted',
    });
    await b.nc.close(); // a crash: nothing acked, nothing released
    sys.sandboxes.salesforce.clearFaults();
    const done = await waitFor(
      async () => {
        // A request the server handed to the dead worker's endpoint just before it saw the crash
        // goes unanswered, as with any crash: ask again.
        const reply = await a.host.messenger.request(BulkStatus, WS, {}, 5_000).catch((err: unknown) => {
          if (err instanceof ControlError && err.code === 'timeout') return null;
          throw err;
        });
        const r = reply?.run as Run | undefined;
        return r && r.status !== 'running' && r.status !== 'paused' ? r : null;
      },
      { what: 'run end', timeoutMs: 50_000 },
    );
    expect(done).toMatchObject({ runId: run.runId, status: 'completed' });
    expect(done.counts).toMatchObject({ ...exp.counts, failed: 0 });
    expect(mismatches(original, snapshot(sys.sandboxes), exp)).toEqual([]);
    await sys.smtp.waitForMail(mails);
    await new Promise((r) => setTimeout(r, 500));
    expect(sys.smtp.mails.length).toBe(mails + 1);
  });
});
