// Stopping a bulk run: by hand, and by saving settings. A stopped run's leftover work is dropped,
// it is never resumed, and the next start is a new run over every record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkStart, BulkStatus, BulkStop, SettingsSave, type Run } from '../../protocol/index.ts';
import { DEFAULT_MAPPINGS, defaultSettings } from '../../actors/mapping/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT, expectedAfterRun, mismatches, snapshot } from './bulk-expected.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({ generator: { people: 1_200, oddShare: 0 }, settings: { pollIntervalSeconds: 86_400 }, config: FREE_PORT });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
});
afterAll(async () => {
  await sys?.stop();
});

const m = () => sys.workers[0].host.messenger;
const status = async () => (await m().request(BulkStatus, WS, {})).run as Run;
const ended = (runId: string) =>
  waitFor(
    async () => {
      const r = await status();
      return r.runId === runId && r.status !== 'running' && r.status !== 'paused' ? r : null;
    },
    { what: 'run end', timeoutMs: 45_000 },
  );
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stopping a bulk run', () => {
  it('stops mid-run, drops what was left, and a later start redoes every record', async () => {
    const original = snapshot(sys.sandboxes);
    const exp = expectedAfterRun(original, DEFAULT_MAPPINGS);
    sys.sandboxes.salesforce.setFaults({ latencyMs: 300 }); // slow enough to stop in the middle
    const { run } = await m().request(BulkStart, WS, { startedBy: 'e2e' });
    await waitFor(async () => (await status()).phase === 'contacts', { what: 'contacts phase' });
    const stopped = await m().request(BulkStop, WS, { reason: 'user', by: 'e2e' });
    expect(stopped.run).toMatchObject({ runId: run.runId, status: 'stopped', reason: 'user' });
    sys.sandboxes.salesforce.clearFaults();

    // What was in flight may finish; nothing after that.
    await settle(1_500);
    const a = snapshot(sys.sandboxes);
    const updatesA = sys.sandboxes.salesforce.stats().byKind.update;
    await settle(2_000);
    expect(mismatches(a, snapshot(sys.sandboxes), { ...exp, sf: new Map(), ic: new Map() })).toEqual([]);
    expect(sys.sandboxes.salesforce.stats().byKind.update).toBe(updatesA);
    const after = await status();
    expect(after).toMatchObject({ runId: run.runId, status: 'stopped', phase: 'contacts' });
    expect(after.counts.scanned).toBeLessThan(exp.counts.scanned);

    const again = await m().request(BulkStart, WS, { startedBy: 'e2e' });
    expect(again.run.runId).not.toBe(run.runId);
    const done = await ended(again.run.runId);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ scanned: exp.counts.scanned, inCommon: exp.counts.inCommon, failed: 0 });
    expect(mismatches(original, snapshot(sys.sandboxes), exp)).toEqual([]);
  });

  it('stops the run with reason settings_changed when settings are saved with confirmation', async () => {
    sys.sandboxes.salesforce.setFaults({ latencyMs: 300 });
    try {
      const { run } = await m().request(BulkStart, WS, { startedBy: 'e2e' });
      const settings = defaultSettings({ mappings: DEFAULT_MAPPINGS.filter((x) => x.sfField !== 'Department') });
      await expect(m().request(SettingsSave, WS, { settings, savedBy: 'e2e' }, 30_000)).rejects.toMatchObject({ status: 409 });
      expect((await status()).status).toBe('running');
      const saved = await m().request(SettingsSave, WS, { settings, savedBy: 'e2e', confirmStopBulk: true }, 30_000);
      expect(saved.stoppedRun).toBe(run.runId);
      expect(await status()).toMatchObject({ runId: run.runId, status: 'stopped', reason: 'settings_changed' });
      const next = await m().request(BulkStart, WS, { startedBy: 'e2e' });
      expect(next.run.settingsRevision).toBe(saved.revision);
      await m().request(BulkStop, WS, {});
    } finally {
      sys.sandboxes.salesforce.clearFaults();
    }
  });
});
