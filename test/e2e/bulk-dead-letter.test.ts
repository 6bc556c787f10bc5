// A bulk write item that ends in the dead-letter stream (two 401s in a row: the session renewal
// is refused too) can never report, so its run cannot complete: the run fails at once, saying
// which item and why, the installer's email says so, and the letter is listed by the run's id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkStart, BulkStatus, DlqList, type Run } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT } from './bulk-expected.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({ generator: { people: 300, oddShare: 0 }, settings: { pollIntervalSeconds: 86_400 }, config: FREE_PORT });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
});
afterAll(async () => {
  await sys?.stop();
});

describe('a run whose work item is dead-lettered', () => {
  it('fails with the reason and what happened, and the email says so', async () => {
    const m = sys.workers[0].host.messenger;
    const status = async () => (await m.request(BulkStatus, WS, {})).run as Run;
    const mails = sys.smtp.mails.length;
    const { run } = await m.request(BulkStart, WS, { startedBy: 'e2e' });
    // The Contacts are read (one page) and their first batches mapped: what Salesforce sees next
    // is the shared update call of the first write items, and its session is refused twice.
    await waitFor(async () => (await status()).counts.scanned > 0, { what: 'first batch mapped' });
    const updatesBefore = sys.sandboxes.salesforce.stats().byKind.update;
    sys.sandboxes.salesforce.setFaults({ unauthorizedNext: 2 });

    const failed = await waitFor(
      async () => {
        const r = await status();
        return r.status !== 'running' && r.status !== 'paused' ? r : null;
      },
      { what: 'the run to end', timeoutMs: 60_000 },
    );
    expect(sys.sandboxes.salesforce.stats().byKind.update).toBeGreaterThan(updatesBefore);
    expect(failed).toMatchObject({ runId: run.runId, status: 'failed', reason: 'dead_letter' });
    expect(failed.detail).toMatch(/sfwrite work item \(sfwrite\.batch\.v1\) could not be processed \(permanent_error\)/);
    expect(failed.detail).toMatch(/INVALID_SESSION_ID|session/i);
    const seq = Number(/dead letter #(\d+)/.exec(failed.detail ?? '')?.[1]);

    const { letters } = await m.request(DlqList, WS, { run: run.runId });
    expect(letters.map((l) => l.seq)).toContain(seq);
    expect(letters.find((l) => l.seq === seq)).toMatchObject({ reason: 'permanent_error', type: 'sfwrite.batch.v1', run: run.runId });

    const mail = await sys.smtp.waitForMail(mails);
    expect(mail.subject).toBe(`peoplesync: bulk sync failed (${WS})`);
    expect(mail.text).toContain('Reason:');
    expect(mail.text).toContain('dead_letter');
    expect(mail.text).toContain(`dead letter #${seq}`);
  });
});
