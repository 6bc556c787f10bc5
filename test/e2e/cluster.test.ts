// peoplesync across hosts under faults: a three-node NATS cluster (docs/nats-cluster.conf, streams
// and buckets R3) and `peoplesync worker` processes, each on a host of its own (network
// namespaces). A bulk run survives a NATS node killed and restarted, and a worker host cut off
// from the network and brought back, reaching the exact expected state; losing the coordinator's
// host fails the run with counts equal to what it wrote, and a new run converges.
//
// The short variant runs in `npm test`. PEOPLESYNC_CLUSTER_LONG=1 runs the long one (more people,
// faults repeated, longer cuts) and prints the figures docs/BENCHMARKS.md records. Without root
// (or without iproute2) the file is skipped, saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPINGS } from '../../actors/mapping/index.ts';
import { BulkHistory, BulkStart, ControlError, type Run } from '../../protocol/index.ts';
import { type Cluster, WS, logTail, startCluster } from '../helpers/cluster.ts';
import { waitFor } from '../helpers/host.ts';
import { netnsAvailable } from '../helpers/netns.ts';
import { type Snapshot, disturb, expectedAfterRun, mismatches, snapshot, written } from './bulk-expected.ts';

const LONG = process.env.PEOPLESYNC_CLUSTER_LONG === '1';
const P = LONG
  ? { people: Number(process.env.PEOPLESYNC_CLUSTER_PEOPLE ?? 20_000), changes: 2_000, nodeKills: 3, downMs: 8_000, cutMs: 25_000, cuts: 2 }
  : { people: 600, changes: 60, nodeKills: 1, downMs: 3_000, cutMs: 8_000, cuts: 1 };
const RUN_TIMEOUT_MS = LONG ? 900_000 : 150_000;
const ACK_WAIT_MS = 5_000;

const netns = netnsAvailable();
if (!netns.ok) console.warn(`test/e2e/cluster.test.ts skipped: ${netns.reason}`);

let c: Cluster;
let round = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const figures: string[] = [];

function note(line: string): void {
  figures.push(line);
  if (LONG) console.log(`[cluster] ${line}`);
}

/** Disturbs the data so the next run has work, and returns it with what that run must leave. */
function prepare() {
  disturb(c.sandboxes, ++round, P.changes);
  const before = snapshot(c.sandboxes);
  return { before, exp: expectedAfterRun(before, DEFAULT_MAPPINGS) };
}

/** A control request, asked again while no answer comes: leaders settling, or a lost host's
 * endpoint that the server still hands requests to until it gives up on the connection. */
async function control<T>(ask: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await ask();
    } catch (err) {
      if (!(err instanceof ControlError) || err.status < 500 || i >= 60) throw err;
      await sleep(1_000);
    }
  }
}

/** The test's own question to the servers, asked again on a timeout (up to ten times). */
async function askAgain<T>(ask: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await ask();
    } catch (err) {
      if (!/timeout/i.test((err as Error).message ?? '') || i >= 9) throw err;
      await sleep(500);
    }
  }
}

async function start(): Promise<{ run: Run; t0: number }> {
  const { run } = await control(() => c.messenger.request(BulkStart, WS, { startedBy: 'cluster-test' }, 20_000));
  return { run, t0: Date.now() };
}

async function until(runId: string, pred: (r: Run) => boolean, what: string, timeoutMs = RUN_TIMEOUT_MS): Promise<Run> {
  return waitFor(
    async () => {
      const r = await c.status().catch(() => null);
      return r && r.runId === runId && pred(r) ? r : null;
    },
    { what, timeoutMs, intervalMs: 500 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${c.workers.map((w) => `--- ${w.host.name}\n${logTail(w)}`).join('\n')}`);
  });
}

const ended = (r: Run) => r.status !== 'running' && r.status !== 'paused';

/** A completed run: exact counts, nothing failed, the exact final state, one email. */
async function expectExact(run: Run, t0: number, before: Snapshot, exp: ReturnType<typeof expectedAfterRun>, mails: number, what: string) {
  const done = await until(run.runId, ended, `${what}: run end`);
  note(
    `${what}: ${done.status}${done.reason ? ` (${done.reason}: ${done.detail ?? ''})` : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s, counts ${JSON.stringify(done.counts)}`,
  );
  expect(done).toMatchObject({ runId: run.runId, status: 'completed' });
  expect(done.counts).toMatchObject({ ...exp.counts, failed: 0 });
  expect(mismatches(before, snapshot(c.sandboxes), exp)).toEqual([]);
  const mail = await c.smtp.waitForMail(mails, 30_000);
  expect(mail.subject).toBe(`peoplesync: bulk sync completed (${WS})`);
  await sleep(1_000);
  expect(c.smtp.mails.slice(mails).map((m) => m.subject)).toEqual([`peoplesync: bulk sync completed (${WS})`]);
}

/** A run with work to do, slowed by Salesforce while `fault` runs once it has scanned its first
 * batch; then it must be exact. */
async function underFault(what: string, fault: (t0: number) => Promise<void>): Promise<void> {
  const { before, exp } = prepare();
  const mails = c.smtp.mails.length;
  c.sandboxes.salesforce.setFaults({ latencyMs: 100 });
  const { run, t0 } = await start();
  await until(run.runId, (r) => r.counts.scanned > 0, 'first batch scanned');
  await fault(t0);
  c.sandboxes.salesforce.clearFaults();
  await expectExact(run, t0, before, exp, mails, what);
}

/** Nothing written for `quietMs`: every item of the run is done or dropped. */
async function quiet(quietMs: number): Promise<void> {
  const writes = () => c.sandboxes.salesforce.stats().byKind.update + (c.sandboxes.intercom.stats().calls['PUT /contacts/{id}'] ?? 0);
  let last = writes();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await sleep(500);
    const now = writes();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

describe.skipIf(!netns.ok)(`peoplesync across hosts (${LONG ? 'long' : 'short'} variant, ${P.people} people)`, () => {
  beforeAll(async () => {
    c = await startCluster({
      generator: { people: P.people, oddShare: 0, duplicateShare: 0.01 },
      workers: 3,
      workerConfig: { leaseTtlMs: 3_000, queue: { ackWaitMs: ACK_WAIT_MS, maxDeliver: 20 } },
    });
    // A first run, so that every later run starts from linked data and leaders that settled.
    const mails = c.smtp.mails.length;
    const { run } = await start();
    await until(run.runId, ended, 'first run end');
    await c.smtp.waitForMail(mails, 30_000);
  }, 240_000);
  afterAll(async () => {
    if (figures.length) console.log(`cluster figures (${LONG ? 'long' : 'short'} variant):\n  ${figures.join('\n  ')}`);
    await c?.stop();
  }, 60_000);

  it(
    'a bulk run survives a NATS node killed and restarted',
    () =>
      underFault('node killed and restarted', async (t0) => {
        for (let k = 0; k < P.nodeKills; k++) {
          // The node that leads the work queue's stream, the one whose loss costs the most.
          // Asked again while the cluster is too busy to answer in time (the whole suite shares two cores).
          const info = await askAgain(async () => (await c.admin.jetstreamManager()).streams.info('PEOPLESYNC_WORK'));
          const leader = info.cluster?.leader;
          const node = c.nodes.find((n) => `peoplesync-${n.host.name.slice(5)}` === leader) ?? c.nodes[k % 3];
          await node.kill();
          note(`killed ${node.host.name} (work stream leader: ${leader}) at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          await sleep(P.downMs);
          await node.start();
          if (k + 1 < P.nodeKills) await sleep(P.downMs);
        }
      }),
    RUN_TIMEOUT_MS + 60_000,
  );

  it(
    'a bulk run survives a worker host cut off from the network and brought back',
    () =>
      underFault('worker host cut off and back', async (t0) => {
        for (let k = 0; k < P.cuts; k++) {
          // A host that does not lead the coordinator: losing that one fails the run (next test).
          const coordinator = await c.leaderOf('coordinator');
          const host = c.workers.find((w) => w !== coordinator && w.proc.exitCode === null)!.host;
          host.down();
          note(`cut ${host.name} off at ${((Date.now() - t0) / 1000).toFixed(1)} s for ${P.cutMs / 1000} s`);
          await sleep(P.cutMs);
          host.up();
        }
      }),
    RUN_TIMEOUT_MS + 60_000,
  );

  it(
    'losing the coordinator’s host fails the run with the counts of what it wrote; a new run converges',
    async () => {
      const { before: original } = prepare();
      const expOriginal = expectedAfterRun(original, DEFAULT_MAPPINGS);
      const mails = c.smtp.mails.length;
      c.sandboxes.salesforce.setFaults({ latencyMs: 100 });
      const { run, t0 } = await start();
      await until(run.runId, (r) => r.counts.updatedSalesforce + r.counts.updatedIntercom > 0, 'first writes counted');
      const lost = await waitFor(() => c.leaderOf('coordinator'), { what: 'the coordinator’s host' });
      lost.host.down();
      await lost.kill();
      note(`lost ${lost.host.name} (coordinator) at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      c.sandboxes.salesforce.clearFaults();
      const failed = await until(run.runId, ended, 'the run failed');
      expect(failed).toMatchObject({ status: 'failed', reason: expect.stringMatching(/coordinator/) });
      // Once nothing more is written, the run's counts are what it wrote, and its email says so.
      await quiet(ACK_WAIT_MS + 5_000);
      const mid = snapshot(c.sandboxes);
      const wrote = written(original, mid);
      const { runs } = await control(() => c.messenger.request(BulkHistory, WS, {}, 5_000));
      const final = runs.find((r) => r.runId === run.runId)!;
      note(`coordinator lost: counts ${JSON.stringify(final.counts)}, wrote ${JSON.stringify(wrote)}`);
      // Counted is written; what is written and not counted is in doubt (a lost worker's call that
      // landed after it was cut off, or never went).
      expect(final.counts.updatedSalesforce).toBeLessThanOrEqual(wrote.salesforce);
      expect(final.counts.updatedIntercom).toBeLessThanOrEqual(wrote.intercom);
      expect(wrote.salesforce + wrote.intercom).toBeLessThanOrEqual(
        final.counts.updatedSalesforce + final.counts.updatedIntercom + final.counts.inDoubt,
      );
      const mail = await c.smtp.waitForMail(mails, 30_000).catch(() => null);
      expect(mail?.subject).toBe(`peoplesync: bulk sync failed (${WS})`);
      // The email is sent as the run fails: what a lost worker was sending then is in doubt (it
      // may still land); what it says was written, and that plus the records in doubt, bound
      // what was written.
      const row = (name: string) => Number(new RegExp(`${name}:? +([\\d,]+)`).exec(mail?.text ?? '')?.[1]?.replace(/,/g, '') ?? NaN);
      const said = row('Updated in Salesforce') + row('Updated in Intercom');
      expect(said).toBeLessThanOrEqual(wrote.salesforce + wrote.intercom);
      expect(said + (row('In doubt \\(a lost worker was writing them\\)') || 0)).toBeGreaterThanOrEqual(wrote.salesforce + wrote.intercom);

      // The survivors take a new run to the state the first one was heading for.
      const expMid = expectedAfterRun(mid, DEFAULT_MAPPINGS);
      const next = await start();
      await expectExact(next.run, next.t0, mid, expMid, c.smtp.mails.length, 'new run after the coordinator’s host was lost');
      expect(mismatches(original, snapshot(c.sandboxes), expOriginal)).toEqual([]);
    },
    RUN_TIMEOUT_MS * 2 + 120_000,
  );
});
