// A whole bulk run with every actor against nats-server, both sandboxes and an SMTP server: the
// final state on both sides against the test's own computation, the counts, one email, and the
// Salesforce calls against their lower bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPINGS } from '../../actors/mapping/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT, expectedAfterRun, mismatches, runToEnd, snapshot } from './bulk-expected.ts';

let sys: TestSystem;
let realRun: { calls: number; sfUpdates: number; ms: number } | null = null;
beforeAll(async () => {
  sys = await startSystem({
    generator: { people: 600, oddShare: 0, duplicateShare: 0.01 },
    settings: { pollIntervalSeconds: 86_400 },
    config: FREE_PORT,
  });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
});
afterAll(async () => {
  await sys?.stop();
});

describe('bulk sync', () => {
  it('dry run: reports what would change, writes nothing, spends only read calls', async () => {
    const before = snapshot(sys.sandboxes);
    const exp = expectedAfterRun(before, DEFAULT_MAPPINGS);
    sys.sandboxes.salesforce.resetStats();
    const run = await runToEnd(sys, true);
    expect(run.status).toBe('completed');
    expect(run.counts).toMatchObject({
      scanned: exp.counts.scanned,
      inCommon: exp.counts.inCommon,
      updatedSalesforce: 0,
      updatedIntercom: 0,
      wouldUpdateSalesforce: exp.counts.updatedSalesforce,
      wouldUpdateIntercom: exp.counts.updatedIntercom,
    });
    expect(run.sample.length).toBeGreaterThan(0);
    expect(sys.sandboxes.salesforce.stats().byKind.update).toBe(0);
    expect(sys.sandboxes.intercom.stats().calls['PUT /contacts/{id}'] ?? 0).toBe(0);
    expect(mismatches(before, snapshot(sys.sandboxes), { ...exp, sf: new Map(), ic: new Map() })).toEqual([]);
    await sys.smtp.waitForMail(0);
  });

  it('syncs every pair in common to the expected state on both sides, creates nothing, emails once', async () => {
    const before = snapshot(sys.sandboxes);
    const exp = expectedAfterRun(before, DEFAULT_MAPPINGS);
    expect(exp.counts.updatedSalesforce).toBeGreaterThan(10);
    expect(exp.counts.updatedIntercom).toBeGreaterThan(10);
    expect(exp.counts.ambiguous).toBeGreaterThan(0);
    const mailsBefore = sys.smtp.mails.length;
    sys.sandboxes.salesforce.resetStats();
    const started = Date.now();
    const run = await runToEnd(sys, false);
    const ms = Date.now() - started;
    expect(run.status).toBe('completed');
    expect(run.counts).toMatchObject({ ...exp.counts, failed: 0 });
    expect(mismatches(before, snapshot(sys.sandboxes), exp)).toEqual([]);

    const mail = await sys.smtp.waitForMail(mailsBefore);
    expect(mail.to).toEqual(['installer@example.com']);
    expect(mail.subject).toBe(`peoplesync: bulk sync completed (${WS})`);
    expect(mail.text).toContain(`Updated in Salesforce: ${exp.counts.updatedSalesforce}`);
    await new Promise((r) => setTimeout(r, 500));
    expect(sys.smtp.mails.length).toBe(mailsBefore + 1);

    const byKind = sys.sandboxes.salesforce.stats().byKind;
    realRun = { calls: byKind.query + byKind.queryMore + byKind.update, sfUpdates: exp.sfUpdates, ms };
  });

  it('spends Salesforce calls within 1.05x of their lower bound', () => {
    expect(realRun).not.toBeNull();
    const r = realRun as NonNullable<typeof realRun>;
    // ceil(leads/2000) + ceil(contacts/2000) + ceil(updates/200), plus the two COUNT() calls, plus
    // one: Contacts are written before Leads are read, so each phase's last call may be partial.
    const counts = sys.sandboxes.salesforce.counts();
    const bound = Math.ceil(counts.Lead / 2000) + Math.ceil(counts.Contact / 2000) + Math.ceil(r.sfUpdates / 200);
    console.log(`bulk e2e: ${counts.Lead + counts.Contact} records in ${r.ms} ms; Salesforce calls ${r.calls} (bound ${bound} + 2 counts)`);
    expect(r.calls).toBeLessThanOrEqual(Math.floor(bound * 1.05) + 2 + 1);
  });
});
