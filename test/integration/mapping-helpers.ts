// Test-only actors and helpers for the settings, mapping and writer tests: a stand-in coordinator
// (answers BulkStop, records what the pipeline reports to it), a collector of sync errors, and the
// quota actor when it is registered (otherwise a stand-in that grants every request).
import { randomUUID } from 'node:crypto';
import { ACTORS } from '../../actors/index.ts';
import {
  BatchMapped,
  type BodyOf,
  BulkStop,
  IndexRefreshed,
  PartWritten,
  QuotaAcquire,
  QuotaUsageShow,
  ReportSyncError,
  type Run,
  SyncErrorResolved,
  WORK_CLASSES,
} from '../../protocol/index.ts';
import { type ActorDef, currentRunKey, endpoint, on, runKey } from '../../runtime/index.ts';
import { startHost, waitFor, type TestHost } from '../helpers/host.ts';
import type { TestSystem } from '../helpers/system.ts';

export const WS = 'ws1';

export interface Recorded {
  stops: { reason: string; by: string }[];
  batches: BodyOf<typeof BatchMapped>[];
  parts: BodyOf<typeof PartWritten>[];
  errors: BodyOf<typeof ReportSyncError>[];
  resolved: BodyOf<typeof SyncErrorResolved>[];
  indexed: BodyOf<typeof IndexRefreshed>[];
}

export function emptyRecord(): Recorded {
  return { stops: [], batches: [], parts: [], errors: [], resolved: [], indexed: [] };
}

/** Stands in for the coordinator: BulkStop marks the current run stopped, reports are kept. */
export function testCoordinator(rec: Recorded): ActorDef {
  return {
    name: 'coordinator',
    singleton: true,
    endpoints: [
      endpoint(BulkStop, async (body, ctx) => {
        rec.stops.push({ reason: body.reason, by: body.by });
        const kv = await ctx.kv('runs');
        const cur = (await kv.getRaw(currentRunKey(ctx.ws)))?.value as { runId?: string } | undefined;
        if (!cur?.runId) return { run: null };
        const run = await kv.modify(runKey(ctx.ws, cur.runId), (r) => ({ ...(r as Run), status: 'stopped', reason: body.reason }));
        return { run: (run as Run | undefined) ?? null };
      }),
    ],
    queues: [
      {
        stage: 'coord',
        classes: ['bulk'],
        handlers: [
          on(BatchMapped, async (b) => {
            rec.batches.push(b);
          }),
          on(PartWritten, async (b) => {
            rec.parts.push(b);
          }),
          on(IndexRefreshed, async (b) => {
            rec.indexed.push(b);
          }),
        ],
      },
    ],
  };
}

/** Collects what would go to the errors actor. */
export function errorCollector(rec: Recorded): ActorDef {
  return {
    name: 'errors-collector',
    queues: [
      {
        stage: 'errors',
        classes: WORK_CLASSES,
        handlers: [
          on(ReportSyncError, async (b) => {
            rec.errors.push(b);
          }),
          on(SyncErrorResolved, async (b) => {
            rec.resolved.push(b);
          }),
        ],
      },
    ],
  };
}

/** Grants whatever is asked: for when no quota actor is registered. */
export const grantingQuota: ActorDef = {
  name: 'quota',
  endpoints: [
    endpoint(QuotaAcquire, async (body) => ({ grantId: randomUUID(), granted: body.n, tier: 'normal' as const, retryAfterMs: 0 })),
  ],
};

/** Hosts the test actors (and the stand-in quota when needed); waits until they lead. */
export async function startTestActors(sys: TestSystem, rec: Recorded, opts: { quota?: boolean } = {}): Promise<TestHost> {
  const useRealQuota = opts.quota !== false && !!ACTORS.quota;
  const actors = [testCoordinator(rec), errorCollector(rec), ...(useRealQuota ? [] : [grantingQuota])];
  const h = await startHost(sys.nats, actors);
  await waitFor(() => h.host.isLeading('coordinator', WS), { what: 'test coordinator leading' });
  if (useRealQuota) {
    await sys.startWorker(['quota']);
    await waitFor(
      () =>
        h.host.messenger.request(QuotaUsageShow, WS, {}).then(
          () => true,
          () => false,
        ),
      { what: 'quota leader ready' },
    );
  }
  return h;
}

export function makeRun(runId: string, status: Run['status'], settingsRevision: number, dryRun = false): Run {
  return {
    runId,
    ws: WS,
    status,
    phase: 'contacts',
    reason: null,
    detail: null,
    dryRun,
    startedBy: 'test',
    startedAt: Date.now(),
    finishedAt: null,
    settingsRevision,
    indexContacts: 0,
    indexListed: 0,
    indexTotal: null,
    expectedRecords: null,
    counts: {
      scanned: 0,
      inCommon: 0,
      unmatched: 0,
      ambiguous: 0,
      skipped: 0,
      updatedSalesforce: 0,
      updatedIntercom: 0,
      unchanged: 0,
      failed: 0,
      wouldUpdateSalesforce: 0,
      wouldUpdateIntercom: 0,
      inDoubt: 0,
    },
    percent: 0,
    ratePerSecond: 0,
    etaSeconds: null,
    sample: [],
    errorsUrl: null,
  };
}

/** Records a run the way the coordinator does: the run under its key and the workspace's current run. */
export async function putRun(sys: TestSystem, run: Run): Promise<void> {
  const kv = await sys.kv('runs');
  await kv.put(runKey(WS, run.runId), run);
  await kv.put(currentRunKey(WS), { runId: run.runId });
}
