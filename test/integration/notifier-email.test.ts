// The notifier against a real nats-server and a real SMTP server: the run summary email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotifyRunFinished, type Run } from '../../protocol/index.ts';
import { newRun } from '../../actors/coordinator/index.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({ generator: { people: 10 }, config: { publicUrl: 'https://sync.example.com' } });
  await sys.startWorker(['notifier']);
});
afterAll(async () => {
  await sys?.stop();
});

function finishedRun(runId: string, failed: number): Run {
  const r = newRun({
    runId,
    ws: WS,
    startedBy: 'dana',
    dryRun: false,
    settingsRevision: 4,
    now: Date.UTC(2026, 0, 2, 10, 0, 0),
    errorsUrl: null,
  });
  return {
    ...r,
    status: 'completed',
    phase: 'done',
    finishedAt: r.startedAt + 83_000,
    percent: 100,
    counts: {
      ...r.counts,
      scanned: 12_345,
      inCommon: 9_876,
      unmatched: 2_469,
      updatedSalesforce: 1_200,
      updatedIntercom: 800,
      unchanged: 7_876 - failed,
      failed,
    },
  };
}

describe('notifier', () => {
  it('emails the installer the run summary once, with duration, every count and the errors link', async () => {
    const m = sys.workers[0].host.messenger;
    const run = finishedRun('rmail1', 3);
    // Sent twice without a message id (as a redelivery would): one email.
    await m.publish(NotifyRunFinished, WS, { run, to: 'owner@example.com' }, { cls: 'bulk', run: '' });
    await m.publish(NotifyRunFinished, WS, { run, to: 'owner@example.com' }, { cls: 'bulk', run: '' });
    const mail = await sys.smtp.waitForMail(0);
    expect(mail.to).toEqual(['owner@example.com']);
    expect(mail.subject).toBe(`peoplesync: bulk sync completed (${WS})`);
    expect(mail.text).toContain('Duration:              1m 23s');
    for (const line of [
      'Records scanned:       12,345',
      'In common:             9,876',
      'Unmatched:             2,469',
      'Updated in Salesforce: 1,200',
      'Updated in Intercom:   800',
      'Unchanged:             7,873',
      'Failed:                3',
      'Started:               2026-01-02T10:00:00.000Z by dana',
    ]) {
      expect(mail.text).toContain(line);
    }
    expect(mail.text).toContain(
      `Errors: 3 records could not be synced (3 failed, 0 ambiguous). Details: https://sync.example.com/ws/${WS}/errors`,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(sys.smtp.mails).toHaveLength(1);
  });

  it('says when nothing failed', async () => {
    const m = sys.workers[0].host.messenger;
    await m.publish(NotifyRunFinished, WS, { run: finishedRun('rmail2', 0), to: 'owner@example.com' }, { cls: 'bulk', run: '' });
    const mail = await sys.smtp.waitForMail(1);
    expect(mail.text).toContain('Errors: none.');
    expect(mail.text).toContain('Run:                   rmail2');
  });
});
