// The coordinator against a real nats-server, the Salesforce sandbox (expected counts) and the
// quota actor: a probe host plays the rest of the pipeline, sending reports (some twice) and
// collecting the work items the coordinator issues.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Msg } from 'nats';
import {
  BatchMapped,
  BulkHistory,
  BulkStart,
  BulkStatus,
  BulkStop,
  ControlError,
  Headers,
  IndexRefresh,
  IndexPageListed,
  IndexRefreshed,
  NotifyRunFinished,
  PageScanned,
  PartWritten,
  type Run,
  RunSchema,
  ScanPage,
  TierChanged,
  decodeMessage,
  Keys,
} from '../../protocol/index.ts';
import { type ActorDef, on } from '../../runtime/index.ts';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { writeSettings } from '../../actors/domain/index.ts';
import { type TestHost, startHost, waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';

type Item = { type: string; body: Record<string, unknown>; run: string | null };
const items: Item[] = [];

const probe: ActorDef = {
  name: 'probe',
  queues: [
    {
      stage: 'index',
      classes: ['bulk'],
      handlers: [
        on(IndexRefresh, async (body, ctx) => {
          items.push({ type: 'index', body, run: ctx.run });
        }),
      ],
    },
    {
      stage: 'scan',
      classes: ['bulk'],
      handlers: [
        on(ScanPage, async (body, ctx) => {
          items.push({ type: 'scan', body, run: ctx.run });
        }),
      ],
    },
    {
      stage: 'notify',
      classes: ['bulk'],
      handlers: [
        on(NotifyRunFinished, async (body, ctx) => {
          items.push({ type: 'notify', body, run: ctx.run });
        }),
      ],
    },
  ],
};

let sys: TestSystem;
let probeHost: TestHost;
const progress: Run[] = [];
const finished: Run[] = [];

function collect(topic: string, into: Run[]) {
  sys.nc.subscribe(`peoplesync.evt.${WS}.${topic}`, {
    callback: (_err, m: Msg) => {
      const { body } = decodeMessage(m.headers?.get(Headers.type), m.data, m.headers?.get(Headers.contentType));
      into.push(body as Run);
    },
  });
}

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 120 } });
  await sys.startWorker(['coordinator', 'quota']);
  probeHost = await startHost(sys.nats, [probe]);
  collect('bulk.progress', progress);
  collect('bulk.finished', finished);
  await waitFor(() => sys.workers[0].host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
});
afterAll(async () => {
  await probeHost?.stop();
  await sys?.stop();
});

const req = () => sys.workers[sys.workers.length - 1].host.messenger;
const send = (def: Parameters<TestHost['host']['messenger']['publish']>[0], body: Record<string, unknown>) =>
  probeHost.host.messenger.publish(def, WS, body as never, { cls: 'bulk' });
const status = async () => (await req().request(BulkStatus, WS, {})).run as Run;
const itemOf = (type: string, run: string, pred: (b: Record<string, unknown>) => boolean = () => true) =>
  waitFor(() => items.find((i) => i.type === type && (i.body.run === run || (i.body.run as Run)?.runId === run) && pred(i.body)), {
    what: `${type} item`,
  });
const mapped = (run: string, batchId: string, parts: Array<{ system: 'salesforce' | 'intercom'; part: number; records: number }>) => ({
  run,
  batchId,
  scanned: 100,
  inCommon: 80,
  unmatched: 20,
  ambiguous: 0,
  skipped: 0,
  unchanged: 60,
  failed: 1,
  parts,
});

describe('coordinator', () => {
  it('runs a bulk sync through its phases, counting every report exactly once', async () => {
    const { run } = await req().request(BulkStart, WS, { startedBy: 'alice' });
    expect(run).toMatchObject({ status: 'running', phase: 'index', startedBy: 'alice', settingsRevision: 1, dryRun: false });
    const kv = await sys.kv('runs');
    expect((await kv.get(Keys.run(WS, run.runId), RunSchema))?.value.status).toBe('running');
    expect((await kv.getRaw(Keys.currentRun(WS)))?.value).toEqual({ runId: run.runId });
    expect((await itemOf('index', run.runId)).body).toMatchObject({ page: 0, cursor: null });

    const refused = await req()
      .request(BulkStart, WS, {})
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ControlError);
    expect(refused).toMatchObject({ code: 'run_active', details: { runId: run.runId } });

    const expected = sys.sandboxes.salesforce.counts();
    await waitFor(async () => (await status()).expectedRecords === expected.Lead + expected.Contact, { what: 'expected count' });

    // Every report goes twice: a redelivery must not count again.
    const twice = async (def: Parameters<typeof send>[0], body: Record<string, unknown>) => {
      await send(def, body);
      await send(def, body);
    };
    // The index phase moves: each page listed counts toward the run's work, once.
    await twice(IndexPageListed, { run: run.runId, page: 0, contacts: 50, total: 95 });
    const listing = await waitFor(
      async () => {
        const s = await status();
        return s.indexListed === 50 ? s : null;
      },
      { what: 'an index page counted' },
    );
    expect(listing).toMatchObject({ phase: 'index', indexTotal: 95 });
    expect(listing.percent).toBeCloseTo((100 * 50) / (95 + expected.Lead + expected.Contact), 1);
    await twice(IndexRefreshed, { run: run.runId, contacts: 95, pages: 1 });
    const scanC = await itemOf('scan', run.runId, (b) => b.object === 'Contact');
    expect(scanC.body).toMatchObject({ page: 0, afterId: null });
    // The scan reads the fields of the settings the run started with, carried in the item.
    expect(scanC.body).toMatchObject({ settingsRevision: run.settingsRevision });
    expect(scanC.run).toBe(run.runId);
    await twice(PageScanned, {
      run: run.runId,
      object: 'Contact',
      page: 0,
      records: 200,
      batchIds: ['Contact:0:0', 'Contact:0:1'],
      last: true,
    });
    await twice(BatchMapped, mapped(run.runId, 'Contact:0:0', [{ system: 'salesforce', part: 0, records: 10 }]));
    await twice(BatchMapped, mapped(run.runId, 'Contact:0:1', []));
    await new Promise((r) => setTimeout(r, 300));
    expect(items.some((i) => i.type === 'scan' && i.body.object === 'Lead')).toBe(false); // a part is still out
    await twice(PartWritten, { run: run.runId, batchId: 'Contact:0:0', system: 'salesforce', part: 0, updated: 9, failed: 1 });
    expect((await itemOf('scan', run.runId, (b) => b.object === 'Lead')).body).toMatchObject({ page: 0 });
    expect((await status()).phase).toBe('leads');
    await twice(PageScanned, { run: run.runId, object: 'Lead', page: 0, records: 100, batchIds: ['Lead:0:0'], last: true });
    await twice(BatchMapped, mapped(run.runId, 'Lead:0:0', [{ system: 'intercom', part: 0, records: 5 }]));
    await twice(PartWritten, { run: run.runId, batchId: 'Lead:0:0', system: 'intercom', part: 0, updated: 5, failed: 0 });

    const notify = await itemOf('notify', run.runId);
    expect(notify.run).toBeNull(); // no ps-run header: a finished run's gate would drop it
    expect(notify.body.to).toBe('installer@example.com');
    const done = await status();
    expect(done).toMatchObject({ status: 'completed', phase: 'done', percent: 100, indexContacts: 95 });
    expect(done.counts).toMatchObject({
      scanned: 300,
      inCommon: 240,
      unmatched: 60,
      unchanged: 180,
      updatedSalesforce: 9,
      updatedIntercom: 5,
      failed: 4,
    });
    expect((await kv.get(Keys.run(WS, run.runId), RunSchema))?.value.status).toBe('completed');
    await waitFor(() => finished.find((r) => r.runId === run.runId && r.status === 'completed'), { what: 'finished event' });
    expect(items.filter((i) => i.type === 'notify')).toHaveLength(1);
    // Progress came at least once a second while it ran.
    const mine = progress.filter((p) => p.runId === run.runId && p.status === 'running');
    expect(mine.length).toBeGreaterThanOrEqual(Math.floor(((done.finishedAt ?? 0) - run.startedAt) / 1000));
  });

  it('pauses for API capacity and resumes, stops for good, and lists history newest first', async () => {
    const { run } = await req().request(BulkStart, WS, { startedBy: 'bob', dryRun: true });
    const tier = (t: 'normal' | 'bulk_paused' | 'exhausted') =>
      probeHost.host.messenger.publish(
        TierChanged,
        WS,
        { tier: t, previous: 'normal', consumptionPercent: 40, at: Date.now() },
        { cls: 'event' },
      );
    await tier('bulk_paused');
    await waitFor(async () => (await status()).status === 'paused', { what: 'paused' });
    expect((await status()).reason).toBe('api_capacity');
    await tier('normal');
    await waitFor(async () => (await status()).status === 'running', { what: 'running again' });

    const stopped = await req().request(BulkStop, WS, { reason: 'user', by: 'bob' });
    expect(stopped.run).toMatchObject({ runId: run.runId, status: 'stopped', reason: 'user' });
    expect(stopped.run?.finishedAt).toBeGreaterThan(0);
    expect(await req().request(BulkStop, WS, {})).toEqual({ run: null });
    // Reports of the stopped run change nothing.
    await send(IndexRefreshed, { run: run.runId, contacts: 1, pages: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await status()).toMatchObject({ status: 'stopped', phase: 'index' });

    const { runs } = await req().request(BulkHistory, WS, { limit: 10 });
    expect(runs.map((r) => [r.startedBy, r.status])).toEqual([
      ['bob', 'stopped'],
      ['alice', 'completed'],
    ]);
    expect((await req().request(BulkHistory, WS, { limit: 1 })).runs).toHaveLength(1);
  });

  it('refuses to start without settings', async () => {
    const settings = await sys.kv('settings');
    await settings.delete(WS);
    try {
      await expect(req().request(BulkStart, WS, {})).rejects.toMatchObject({ code: 'no_settings' });
    } finally {
      await writeSettings(settings, WS, defaultSettings());
    }
  });

  it('fails a run whose coordinator was lost, and never resumes it', async () => {
    const { run } = await req().request(BulkStart, WS, { startedBy: 'carol' });
    expect(run.settingsRevision).toBeGreaterThan(1); // fixed at start: the revision saved just above
    const old = sys.workers[0];
    await old.nc.close(); // a crash: no stop, no lease release
    const next = await sys.startWorker(['coordinator', 'quota']);
    await waitFor(() => next.host.isLeading('coordinator', WS), { what: 'new leader', timeoutMs: 15_000 });
    const lost = await waitFor(
      async () => {
        const r = await status();
        return r.runId === run.runId && r.status === 'failed' ? r : null;
      },
      { what: 'lost run failed' },
    );
    expect(lost).toMatchObject({ reason: 'coordinator_lost' });
    expect(lost.finishedAt).toBeGreaterThan(0);
    // Its work items are dropped from now on, and a new run can start.
    await send(IndexRefreshed, { run: run.runId, contacts: 1, pages: 1 });
    const again = await req().request(BulkStart, WS, { startedBy: 'carol' });
    expect(again.run.runId).not.toBe(run.runId);
    await req().request(BulkStop, WS, {});
  });
});
