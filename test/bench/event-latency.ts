// Event sync latency, change to other side, and the Salesforce calls it spends: nats-server and a
// worker (`peoplesync worker`, every actor) as child processes, both sandboxes in this process,
// which makes the changes and watches for them on the other side (every 10 ms).
//   npx tsx test/bench/event-latency.ts [--changes 1000] [--near-seconds 100] [--poll-spread-seconds 300] [--only near|poll]
// Two phases, each with N Salesforce changes (a Contact's Title, synced to Intercom) and N Intercom
// changes (a contact's plan, synced to Salesforce), on distinct people, spread evenly over time:
// - near real time: Salesforce change events on, Intercom webhooks on;
// - polling only: both off; the poll clock at its shortest interval, 5 minutes; Intercom's search
//   lagging a minute behind changes (its default in the sandbox).
// Prints p50/p90/p99/max latency per direction, and Salesforce calls by kind against the bound
// (one query a poll asked for, plus ceil(records written to Salesforce / 200)).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { saveWhenReady } from '../../cli/commands/settings.ts';
import { sandboxWorkspace } from '../../cli/commands/sandbox.ts';
import { DEV_USERS, freePort, startLocalNats } from '../../cli/local-nats.ts';
import { type BodyOf, BulkStart, BulkStatus, Headers, type Run, ScanChanges, decodeMessage, topology } from '../../protocol/index.ts';
import { Messenger, provision } from '../../runtime/index.ts';
import { HIGH_RATE_LIMIT, PLAIN_IN_COMMON, type Sandboxes, startSandboxes, startSmtpSink } from '../../sandbox/index.ts';
import { num, startWorkerProcess } from './worker-process.ts';

const WS = 'bench';
const SECRET = 'bench-webhook-secret';
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
if (ONLY !== null && ONLY !== 'near' && ONLY !== 'poll') throw new Error(`--only must be near or poll, got ${ONLY}`);
const CHANGES = num('changes', 1_000);
const NEAR_SECONDS = num('near-seconds', 100);
const POLL_SPREAD_SECONDS = num('poll-spread-seconds', 300);
const POLL_INTERVAL_SECONDS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Pending {
  at: number;
  arrived: () => boolean;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(name: string, latencies: number[]): string {
  const s = [...latencies].sort((a, b) => a - b);
  const f = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(2)} s`);
  return `${name}: ${s.length} changes, p50 ${f(percentile(s, 50))}, p90 ${f(percentile(s, 90))}, p99 ${f(percentile(s, 99))}, max ${f(s[s.length - 1])}`;
}

/** Makes `make(i)` at even intervals over `seconds`, watching for each change's arrival. */
async function measure(count: number, seconds: number, make: (i: number) => Pending, deadlineMs: number): Promise<number[]> {
  const pending = new Map<number, Pending>();
  const latencies: number[] = [];
  const watch = setInterval(() => {
    const now = Date.now();
    for (const [i, p] of pending) {
      if (p.arrived()) {
        latencies.push(now - p.at);
        pending.delete(i);
      }
    }
  }, 10);
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * seconds * 1000) / count;
    if (due > Date.now()) await sleep(due - Date.now());
    pending.set(i, make(i));
  }
  while (pending.size && Date.now() < start + seconds * 1000 + deadlineMs) await sleep(50);
  clearInterval(watch);
  if (pending.size) console.log(`  ${pending.size} changes did not arrive within the deadline`);
  return latencies;
}

async function waitReady(m: Messenger): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await m.request(BulkStatus, WS, {}, 2_000);
      return;
    } catch (err) {
      if (i > 300) throw err;
      await sleep(100);
    }
  }
}

/** The polls asked for during a phase (by the clock and by change events). */
function countAsks(nc: NatsConnection): { ticks: number; stream: number; stop(): void } {
  const out = { ticks: 0, stream: 0, stop: () => sub.unsubscribe() };
  const sub = nc.subscribe(`peoplesync.work.${WS}.scan.event`, {
    callback: (_e, m) => {
      const type = m.headers?.get(Headers.type);
      if (type !== ScanChanges.type) return;
      const { reason } = decodeMessage(type, m.data, m.headers?.get(Headers.contentType)).body as BodyOf<typeof ScanChanges>;
      if (reason === 'stream') out.stream += 1;
      else if (reason === 'tick') out.ticks += 1;
    },
  });
  return out;
}

async function phase(name: string, o: { near: boolean; spread: number; deadline: number }, ctx: PhaseContext): Promise<void> {
  const { sandboxes, dir, nats, nc } = ctx;
  const port = await freePort();
  const configFile = join(dir, `worker-${name}.json`);
  const workspace = sandboxWorkspace(WS, sandboxes);
  await writeFile(
    configFile,
    JSON.stringify({
      nats: { servers: [nats.url], ...DEV_USERS.worker },
      dataDir: join(dir, `data-${name}`),
      logLevel: 'warn',
      smtp: { host: ctx.smtp.host, port: ctx.smtp.port },
      http: { host: '127.0.0.1', port },
      workspaces: [
        {
          ...workspace,
          salesforce: { ...workspace.salesforce, changeEvents: o.near },
          intercom: { ...workspace.intercom, webhookSecret: SECRET },
        },
      ],
    }),
  );
  const logFile = join(tmpdir(), `ps-bench-latency-${name}.log`);
  const worker = startWorkerProcess(configFile, logFile);
  console.log(`phase ${name}: worker log ${logFile}`);
  const m = new Messenger(nc, 'peoplesync', 'msgpack');
  try {
    await waitReady(m);
    await sleep(3_000); // leaders settled, change events subscribed, the first poll asked for
    // Intercom validates a webhook URL with a HEAD request when it is set: the gateway must be up.
    sandboxes.intercom.configure({
      webhook: o.near ? { url: `http://127.0.0.1:${port}/webhooks/intercom/${WS}`, clientSecret: SECRET } : null,
    });
    const sf = sandboxes.salesforce;
    const ic = sandboxes.intercom;
    sf.resetStats();
    const asks = countAsks(nc);
    const load0 = loadavg()[0];
    const t0 = Date.now();
    const people = ctx.pairs.splice(0, 2 * CHANGES);
    const [toIc, toSf] = [people.slice(0, CHANGES), people.slice(CHANGES)];
    const plans = ['Free', 'Starter', 'Pro', 'Enterprise'];
    const [sfLatency, icLatency] = await Promise.all([
      measure(
        CHANGES,
        o.spread,
        (i) => {
          const { sfId, icId } = toIc[i];
          const title = `${name} title ${i}`;
          const at = Date.now();
          sf.userUpdate(sfId, { Title: title });
          return { at, arrived: () => ic.getContact(icId)?.custom_attributes.job_title === title };
        },
        o.deadline,
      ),
      measure(
        CHANGES,
        o.spread,
        (i) => {
          const { sfId, icId } = toSf[i];
          const current = sf.get(sfId)?.Plan__c;
          const plan = plans.find((p) => p !== current) as string;
          const at = Date.now();
          ic.userChange(icId, { custom_attributes: { plan } });
          return { at, arrived: () => sf.get(sfId)?.Plan__c === plan };
        },
        o.deadline,
      ),
    ]);
    asks.stop();
    const wall = (Date.now() - t0) / 1000;
    console.log(`phase ${name} (${wall.toFixed(0)} s; load average ${load0.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end)`);
    console.log(`  Salesforce -> Intercom ${summary(o.near ? 'through change events' : 'by polling', sfLatency)}`);
    console.log(`  Intercom -> Salesforce ${summary(o.near ? 'through webhooks' : 'by polling', icLatency)}`);
    const k = sf.stats().byKind;
    const written = CHANGES;
    const bound = asks.ticks + asks.stream + Math.ceil(written / 200);
    console.log(
      `  Salesforce calls: ${k.composite} composite reads (change polls asked: ${asks.ticks} by the clock, ${asks.stream} by change events; ` +
        `the rest look up the records Intercom changes name), ${k.query + k.queryMore} other queries, ${k.update} updates of ${written} records, ${k.describe} describes; ` +
        `bound ${bound} (${asks.ticks + asks.stream} polls + ceil(${written} / 200)); total ${sf.stats().charged}`,
    );
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => (worker.exitCode !== null ? r(null) : worker.once('exit', r)));
  }
}

interface PhaseContext {
  sandboxes: Sandboxes;
  smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  dir: string;
  nats: Awaited<ReturnType<typeof startLocalNats>>;
  nc: NatsConnection;
  pairs: { sfId: string; icId: string }[];
}

async function main(): Promise<void> {
  const nats = await startLocalNats();
  const people = 4 * CHANGES + 200;
  const sandboxes = await startSandboxes({
    generator: { seed: 41, people, ...PLAIN_IN_COMMON },
    salesforce: { clientId: 'ps-client', clientSecret: 'ps-secret', dailyMax: 10_000_000 },
    intercom: { rateLimit: HIGH_RATE_LIMIT },
  });
  const smtp = await startSmtpSink();
  const nc = await connect({ servers: nats.url, ...DEV_USERS.worker });
  await provision(nc, topology(), 1);
  const dir = await mkdtemp(join(tmpdir(), 'ps-bench-latency-'));
  const email = (e: unknown) => String(e).trim().toLowerCase();
  const byEmail = new Map(sandboxes.intercom.contacts().map((c) => [email(c.email), c.id]));
  const pairs = sandboxes.salesforce
    .records('Contact', 0, people)
    .map((r) => ({ sfId: r.Id, icId: byEmail.get(email(r.Email)) as string }))
    .filter((p) => p.icId);
  console.log(
    `data: ${sandboxes.salesforce.counts().Contact} Contacts, ${sandboxes.intercom.counts().total} Intercom contacts, ${pairs.length} in common`,
  );
  const ctx: PhaseContext = { sandboxes, smtp, dir, nats, nc, pairs };
  try {
    await indexOnce(ctx);
    if (ONLY !== 'poll') await phase('near', { near: true, spread: NEAR_SECONDS, deadline: 60_000 }, ctx);
    if (ONLY !== 'near') {
      // Intercom's search shows a change a minute late (the sandbox's default), as the service does.
      await phase('poll', { near: false, spread: POLL_SPREAD_SECONDS, deadline: (2 * POLL_INTERVAL_SECONDS + 120) * 1000 }, ctx);
    }
  } finally {
    await nc.close();
    await sandboxes.close();
    await smtp.close();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The settings, then a bulk run: it builds the identity index event sync matches against (the sides agree). */
async function indexOnce(ctx: PhaseContext): Promise<void> {
  const configFile = join(ctx.dir, 'worker-index.json');
  await writeFile(
    configFile,
    JSON.stringify({
      nats: { servers: [ctx.nats.url], ...DEV_USERS.worker },
      dataDir: join(ctx.dir, 'data-index'),
      logLevel: 'warn',
      smtp: { host: ctx.smtp.host, port: ctx.smtp.port },
      http: { host: '127.0.0.1', port: await freePort() },
      workspaces: [sandboxWorkspace(WS, ctx.sandboxes)],
    }),
  );
  const worker = startWorkerProcess(configFile, join(tmpdir(), 'ps-bench-latency-index.log'));
  const m = new Messenger(ctx.nc, 'peoplesync', 'msgpack');
  try {
    await waitReady(m);
    // Saved as a person saves them (settings.save, checked against the live describe).
    await saveWhenReady(m, WS, defaultSettings({ sfApiLimit: 5_000_000, pollIntervalSeconds: POLL_INTERVAL_SECONDS }), 'bench');
    const { run } = await m.request(BulkStart, WS, { startedBy: 'bench' }, 20_000);
    let r: Run | null = run;
    while (r && (r.status === 'running' || r.status === 'paused')) {
      await sleep(500);
      r = (await m.request(BulkStatus, WS, {})).run;
    }
    console.log(`identity index: bulk run ${r?.status}, ${r?.counts.inCommon} in common`);
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => (worker.exitCode !== null ? r(null) : worker.once('exit', r)));
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
