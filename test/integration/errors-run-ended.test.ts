// Errors reported during a bulk run must be recorded even when the errors actor handles them
// after the run has ended: they describe what already happened, they are not work of the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorsList, ReportSyncError, Keys } from '../../protocol/index.ts';
import { type Messenger } from '../../runtime/index.ts';
import { FIXTURES } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { messenger, report } from './errors-helpers.ts';

let sys: TestSystem;
let m: Messenger;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 5 } });
  m = messenger(sys.nc);
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

describe('errors of an ended run', () => {
  it('records the failures a run reported before it completed', async () => {
    const runs = await sys.kv('runs');
    const run = { ...(FIXTURES['bulk.progress.v1'] as object), runId: 'run-ended', ws: WS, status: 'running' };
    await runs.put(Keys.run(WS, 'run-ended'), run);
    // The writer reports while the run is running; the errors actor is busy (here: not started yet).
    await m.publish(ReportSyncError, WS, report({ syncType: 'bulk', run: 'run-ended' }), { cls: 'bulk' });
    await runs.put(Keys.run(WS, 'run-ended'), { ...run, status: 'completed', phase: 'done', finishedAt: Date.now() });
    await sys.startWorker(['errors']);
    const listed = await waitFor(
      async () => {
        const r = await m.request(ErrorsList, WS, { direction: 'all' });
        return r.total ? r.errors : null;
      },
      { what: 'the error of the ended run', timeoutMs: 10_000 },
    );
    expect(listed[0]).toMatchObject({ run: 'run-ended', syncType: 'bulk' });
  });
});
