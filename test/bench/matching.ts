// Matching throughput against an identity index of about 100k Intercom contacts, on a nats-server
// of its own:
//   A. index refresh: the IndexRefresh chain lists the Intercom sandbox 150 a page into KV;
//   B. first bulk pass: every Salesforce record of the data set as MatchRecords batches of 200
//      (Contacts, then Leads, as a run does), joined by email, links written;
//   C. second pass over the same records: links exist and are preferred.
// The matching actor runs in worker processes of its own (as deployed); this process publishes
// the batches (as polling would) and consumes the MapPairs (as mapping would), counting outcomes.
// Besides records/s it prints the CPU the workers and nats-server spent per record, which holds
// steadier than wall time on a shared machine.
// Run: npx tsx test/bench/matching.ts [--people 125000] [--workers 1] [--concurrency 8] [--no-async-traces]
// (--no-async-traces connects the workers with nats.js noAsyncTraces: no stack captured per request.)
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { writeSettings } from '../../actors/domain/index.ts';
import { createMatchingActor } from '../../actors/matching/index.ts';
import { type IcContact, type SfRecord, createIntercomClient } from '../../connectors/index.ts';
import {
  IndexPageListed,
  IndexRefresh,
  IndexRefreshed,
  MapPairs,
  MatchRecords,
  ReportSyncError,
  type Run,
  type WorkClass,
  Keys,
} from '../../protocol/index.ts';
import { ActorHost, type ActorDef, createLogger, on } from '../../runtime/index.ts';
import { generatePeople, HIGH_RATE_LIMIT, startIntercomSandbox } from '../../sandbox/index.ts';
import { USERS, startNatsServer } from '../helpers/nats-server.ts';
import { cpuOf, num } from './worker-process.ts';

const WS = 'bench';
const NO_TRACES = process.argv.includes('--no-async-traces');

/** Worker mode: host the matching actor until the parent disconnects; report CPU when asked. */
async function worker(natsUrl: string, icUrl: string, icToken: string, concurrency: number): Promise<void> {
  const nc = await connect({ servers: natsUrl, ...USERS.worker, name: 'bench-worker', noAsyncTraces: NO_TRACES });
  const client = createIntercomClient({ baseUrl: icUrl, token: icToken, pacing: false });
  // Matching reads Salesforce only to verify a stored match, which this benchmark never has.
  const services = {
    intercom: () => client,
    salesforce: () => {
      throw new Error('the matching benchmark has no Salesforce');
    },
    now: () => Date.now(),
  };
  const host = new ActorHost({ nc, log: createLogger({ level: 'warn' }), workspaces: [WS], services, concurrency });
  await host.start([createMatchingActor()]);
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  process.on(
    'disconnect',
    () =>
      void host
        .stop(1_000)
        .then(() => nc.close())
        .then(() => 0)
        .then(process.exit),
  );
  process.send?.('ready');
}

interface Counts {
  batches: number;
  pairs: number;
  scanned: number;
  unmatched: number;
  ambiguous: number;
  skipped: number;
  errors: number;
}
const zero = (): Counts => ({ batches: 0, pairs: 0, scanned: 0, unmatched: 0, ambiguous: 0, skipped: 0, errors: 0 });

/** Stands in for mapping (map stage) and errors: it only counts. A pool actor, so a late lease
 * renewal in this busy process never stalls the pipeline. */
function sink(counts: { current: Counts }): ActorDef {
  const all: WorkClass[] = ['bulk'];
  return {
    name: 'bench-sink',
    queues: [
      {
        stage: 'map',
        classes: all,
        concurrency: 64,
        handlers: [
          on(MapPairs, async (b) => {
            const c = counts.current;
            c.batches += 1;
            c.pairs += b.pairs.length;
            c.scanned += b.scanned;
            c.unmatched += b.unmatched;
            c.ambiguous += b.ambiguous;
            c.skipped += b.skipped;
          }),
        ],
      },
      {
        stage: 'errors',
        classes: all,
        concurrency: 64,
        handlers: [
          on(ReportSyncError, async () => {
            counts.current.errors += 1;
          }),
        ],
      },
    ],
  };
}

/** Stands in for the coordinator (a leader stage): hears the end of the index refresh. */
function coordinator(refreshed: (b: { contacts: number; pages: number }) => void): ActorDef {
  return {
    name: 'bench-coordinator',
    singleton: true,
    queues: [
      {
        stage: 'coord',
        classes: ['bulk'],
        handlers: [on(IndexRefreshed, async (b) => refreshed(b)), on(IndexPageListed, async () => undefined)],
      },
    ],
  };
}

function run(runId: string, settingsRevision: number): Run {
  return {
    runId,
    ws: WS,
    status: 'running',
    phase: 'contacts',
    reason: null,
    detail: null,
    dryRun: false,
    startedBy: 'bench',
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

const until = async (cond: () => boolean, what: string, timeoutMs = 900_000) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** CPU milliseconds of a process by its config file argument (Linux /proc), or null. */
function natsCpuMs(configFile: string): number | null {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(configFile)) return cpuOf(Number(pid)) * 1000;
    } catch {
      // The process went away or is not readable: not ours.
    }
  }
  return null;
}

class Workers {
  readonly procs: ChildProcess[] = [];

  async start(n: number, natsUrl: string, icUrl: string, icToken: string, concurrency: number): Promise<void> {
    const self = fileURLToPath(import.meta.url);
    for (let i = 0; i < n; i++) {
      const args = ['--worker', natsUrl, icUrl, icToken, String(concurrency), ...(NO_TRACES ? ['--no-async-traces'] : [])];
      const p = fork(self, args, {
        execArgv: [
          '--import',
          'tsx',
          ...(process.env.BENCH_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF_DIR}`] : []),
        ],
        stdio: 'inherit',
      });
      this.procs.push(p);
      await new Promise<void>((resolve, reject) => {
        p.once('message', () => resolve());
        p.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      });
    }
  }

  /** CPU milliseconds all workers have used so far. */
  async cpuMs(): Promise<number> {
    const all = await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<number>((resolve) => {
            p.once('message', (m) => {
              const u = (m as { cpu: NodeJS.CpuUsage }).cpu;
              resolve((u.user + u.system) / 1000);
            });
            p.send('cpu');
          }),
      ),
    );
    return all.reduce((a, b) => a + b, 0);
  }

  stop(): void {
    for (const p of this.procs) p.disconnect();
  }
}

interface Meter {
  wall: number;
  workers: number;
  nats: number | null;
  self: number;
}

async function meter(w: Workers, configFile: string): Promise<Meter> {
  const u = process.cpuUsage();
  return { wall: Date.now(), workers: await w.cpuMs(), nats: natsCpuMs(configFile), self: (u.user + u.system) / 1000 };
}

function cost(from: Meter, to: Meter, items: number, unit: string): string {
  const ms = to.wall - from.wall;
  const workerUs = ((to.workers - from.workers) * 1000) / items;
  const nats = from.nats !== null && to.nats !== null ? `, nats-server ${Math.round(((to.nats - from.nats) * 1000) / items)} µs` : '';
  const self = Math.round(((to.self - from.self) * 1000) / items);
  return (
    `${items} ${unit} in ${(ms / 1000).toFixed(1)} s = ${Math.round(items / (ms / 1000))} ${unit}/s; ` +
    `CPU per ${unit.replace(/s$/, '')}: matching workers ${Math.round(workerUs)} µs${nats}, this process (publisher, sink, sandbox) ${self} µs ` +
    `(workers busy ${Math.round(((to.workers - from.workers) / ms) * 100)}% of one core)`
  );
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--worker');
  if (i >= 0) {
    const [natsUrl, icUrl, token, concurrency] = process.argv.slice(i + 1, i + 5);
    return worker(natsUrl, icUrl, token, Number(concurrency));
  }
  const people = num('people', 125_000);
  const nWorkers = num('workers', 1);
  const concurrency = num('concurrency', 8);
  const records: Record<'Lead' | 'Contact', SfRecord[]> = { Lead: [], Contact: [] };
  const contacts: IcContact[] = [];
  for (const p of generatePeople({ seed: 42, people })) {
    if (p.contact) records.Contact.push(p.contact);
    if (p.lead) records.Lead.push(p.lead);
    if (p.intercom) contacts.push(...p.intercom);
  }
  const total = records.Contact.length + records.Lead.length;
  const server = await startNatsServer();
  const ic = await startIntercomSandbox({ contacts, rateLimit: HIGH_RATE_LIMIT });
  const nc = await connect({ servers: server.url, ...USERS.worker, name: 'bench' });
  const counts = { current: zero() };
  let refreshed: { contacts: number; pages: number } | null = null;
  // The host provisions streams and buckets; nothing is published before settings are stored.
  const host = new ActorHost({ nc, log: createLogger({ level: 'warn' }), workspaces: [WS] });
  await host.start([
    sink(counts),
    coordinator((b) => {
      refreshed = b;
    }),
  ]);
  const revision = await writeSettings(await host.kv('settings'), WS, defaultSettings());
  const runsKv = await host.kv('runs');
  await until(() => host.isLeading('bench-coordinator', WS), 'coordinator stand-in leading', 10_000);
  const workers = new Workers();
  await workers.start(nWorkers, server.url, ic.url, ic.token, concurrency);
  console.log(
    `Matching benchmark: ${contacts.length} Intercom contacts, ${records.Contact.length} Contacts + ${records.Lead.length} Leads; ` +
      `${nWorkers} matching worker process(es), ${concurrency} batches in flight each; nats.js async traces ${NO_TRACES ? 'off' : 'on (the default)'}; ` +
      `Node ${process.version}; load average ${loadavg()[0].toFixed(1)} on 2 cores`,
  );
  try {
    const r1 = 'bench-run-1';
    await runsKv.put(Keys.run(WS, r1), run(r1, revision));
    let m0 = await meter(workers, server.configFile);
    await host.messenger.publish(IndexRefresh, WS, { run: r1, page: 0, cursor: null }, { cls: 'bulk', msgId: `idx:${r1}:0` });
    await until(() => refreshed !== null, 'index refresh');
    const done = refreshed as unknown as { contacts: number; pages: number };
    console.log(`A. index refresh (${done.pages} pages): ${cost(m0, await meter(workers, server.configFile), done.contacts, 'contacts')}`);
    for (const [label, runId] of [
      ['B. first pass, links written', r1],
      ['C. second pass, links preferred', 'bench-run-2'],
    ] as const) {
      if (runId !== r1) await runsKv.put(Keys.run(WS, runId), run(runId, revision));
      counts.current = zero();
      m0 = await meter(workers, server.configFile);
      let batches = 0;
      for (const object of ['Contact', 'Lead'] as const) {
        const list = records[object];
        const ids: number[] = [];
        for (let k = 0; k < list.length; k += 200) ids.push(k);
        // A few publishes in flight, as polling sends its pages: all at once only times out acks.
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            for (let k = ids.shift(); k !== undefined; k = ids.shift()) {
              const batchId = `${object}:${Math.floor(k / 2000)}:${(k % 2000) / 200}`;
              await host.messenger.publish(
                MatchRecords,
                WS,
                { run: runId, batchId, settingsRevision: revision, object, records: list.slice(k, k + 200) },
                { cls: 'bulk', msgId: `match:${runId}:${batchId}` },
              );
            }
          }),
        );
        batches += Math.ceil(list.length / 200);
        // Contacts are matched fully before Leads, so the Lead rules see the Contacts' links.
        await until(() => counts.current.batches >= batches, `${object} batches`);
      }
      const c = counts.current;
      console.log(`${label}: ${cost(m0, await meter(workers, server.configFile), c.scanned, 'records')}`);
      console.log(
        `   matched ${c.pairs}, unmatched ${c.unmatched}, ambiguous ${c.ambiguous} (${c.errors} sync errors), skipped ${c.skipped}; ${c.batches} batches`,
      );
      if (c.scanned !== total) throw new Error(`expected ${total} records scanned, got ${c.scanned}`);
    }
    console.log(`load average at the end: ${loadavg()[0].toFixed(1)}`);
  } finally {
    workers.stop();
    await host.stop(2_000);
    await nc.drain();
    await ic.close();
    await server.stop();
  }
}

await main();
