// `bulk history` lists every run of the workspace, newest first, whatever way it ended: a run
// completed, a dry run, a run stopped, and a run failed because its coordinator was lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkHistory, BulkStart, BulkStatus, BulkStop, type Run } from '../../protocol/index.ts';
import type { Worker } from '../../cli/worker.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT } from './bulk-expected.ts';

let sys: TestSystem;
let leader: Worker;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 200 }, settings: { pollIntervalSeconds: 86_400 }, config: FREE_PORT });
  leader = await sys.startWorker();
  await waitFor(() => leader.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
});
afterAll(async () => {
  await sys?.stop();
});

const ended = (r: Run | null | undefined): r is Run => !!r && r.status !== 'running' && r.status !== 'paused';

async function runToEnd(w: Worker, dryRun: boolean): Promise<Run> {
  const { run } = await w.host.messenger.request(BulkStart, WS, { startedBy: dryRun ? 'dry' : 'real', dryRun });
  return waitFor(
    async () => {
      const r = (await w.host.messenger.request(BulkStatus, WS, {})).run;
      return r?.runId === run.runId && ended(r) ? r : null;
    },
    { what: `run ${run.runId} to end`, timeoutMs: 60_000 },
  );
}

describe('bulk history', () => {
  it('lists completed, dry, stopped and failed runs, newest first', async () => {
    const completed = await runToEnd(leader, false);
    expect(completed.status).toBe('completed');
    const dry = await runToEnd(leader, true);
    expect(dry).toMatchObject({ status: 'completed', dryRun: true });

    const { run: toStop } = await leader.host.messenger.request(BulkStart, WS, { startedBy: 'stopper' });
    const stopped = (await leader.host.messenger.request(BulkStop, WS, { reason: 'user', by: 'stopper' })).run;
    expect(stopped).toMatchObject({ runId: toStop.runId, status: 'stopped' });

    // The coordinator's process dies mid-run; the next leader fails the run it finds active.
    const { run: lost } = await leader.host.messenger.request(BulkStart, WS, { startedBy: 'lost' });
    await leader.nc.close();
    const next = await sys.startWorker();
    await waitFor(() => next.host.isLeading('coordinator', WS), { what: 'new coordinator leading', timeoutMs: 15_000 });
    const failed = await waitFor(
      async () => {
        const r = (await next.host.messenger.request(BulkStatus, WS, {})).run;
        return r?.runId === lost.runId && r.status === 'failed' ? r : null;
      },
      { what: 'lost run failed' },
    );
    expect(failed.reason).toBe('coordinator_lost');

    const { runs } = await next.host.messenger.request(BulkHistory, WS, { limit: 10 });
    expect(runs.map((r) => [r.runId, r.status, r.dryRun])).toEqual([
      [lost.runId, 'failed', false],
      [toStop.runId, 'stopped', false],
      [dry.runId, 'completed', true],
      [completed.runId, 'completed', false],
    ]);
    const newest = await next.host.messenger.request(BulkHistory, WS, { limit: 2 });
    expect(newest.runs.map((r) => r.runId)).toEqual([lost.runId, toStop.runId]);
  });
});
