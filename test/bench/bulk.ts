// A whole bulk run, end to end, as a deployment runs it: nats-server (child process), the worker
// (`peoplesync worker`, every actor, child processes), and this process holding both sandboxes
// and the SMTP sink. Prints wall time, records/s, Salesforce and Intercom calls against their
// lower bounds, and peak RSS per process; with --million, RSS samples over the run to show that
// memory stays flat as records stream through.
//   npx tsx test/bench/bulk.ts [--people 120000] [--workers 1] [--million] [--ic-rate-limit] [--latency]
//                              [--lease-ttl-ms 3000] [--profile DIR]
// --profile writes a V8 CPU profile of each worker into DIR (open it in Chrome DevTools).
// --ic-rate-limit: Intercom's limit for a private app, 10,000 calls a minute in 10-second windows
// (1,666 a window); --latency: every Salesforce and Intercom call takes 50-150 ms (drawn anew every
// 50 ms: the sandboxes take one latency at a time). With the limit on, the share of Intercom's
// allowed rate the run used is printed, over the span of its Intercom calls and per window.
// Data: 100k Salesforce records (50k Leads, 50k Contacts), 100k Intercom contacts, 80% of the
// Salesforce people in common, 20% of pairs differing (1M each with --million).
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { writeSettings } from '../../actors/domain/index.ts';
import { sandboxWorkspace } from '../../cli/commands/sandbox.ts';
import { DEV_USERS, freePort, startLocalNats } from '../../cli/local-nats.ts';
import { BulkStart, BulkStatus, ControlError, type Run, topology } from '../../protocol/index.ts';
import { Messenger, provision, typedKv } from '../../runtime/index.ts';
import { DEFAULT_RATE_LIMIT, HIGH_RATE_LIMIT, startSandboxes, startSmtpSink } from '../../sandbox/index.ts';
import { type CallSample, rateShare, spanOf } from './rate-share.ts';
import { cpuOf, num, startWorkerProcess } from './worker-process.ts';

const WS = 'bench';

interface Sample {
  at: number;
  percent: number;
  phase: string;
  rss: number[];
}
const has = (flag: string) => process.argv.includes(`--${flag}`);

const MILLION = has('million');
// S Salesforce people (half Leads), 80% of them also in Intercom, plus Intercom-only people that
// bring Intercom to S contacts: people = 1.2 S, icOnlyShare = 1/6.
const PEOPLE = num('people', MILLION ? 1_200_000 : 120_000);
const WORKERS = num('workers', 1);
// Leases must outlast the longest stall of the NATS server under load (the config default is 3 s).
const LEASE_TTL_MS = num('lease-ttl-ms', 3_000);
const PROFILE_DIR = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : undefined;

/** Resident set now and at its peak, in MB, from /proc (Linux). */
function rssOf(pid: number): { rss: number; peak: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
    return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** Status, riding out a leader hand-over (the old leader's run is then failed, and shows so). */
async function statusOf(m: Messenger): Promise<Run | null> {
  for (let i = 0; ; i++) {
    try {
      return (await m.request(BulkStatus, WS, {}, 20_000)).run;
    } catch (err) {
      if (!(err instanceof ControlError) || err.status < 500 || i >= 60) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const nats = await startLocalNats();
  const sandboxes = await startSandboxes({
    generator: { seed: 11, people: PEOPLE, leadShare: 0.5, inCommonShare: 0.8, differingShare: 0.2, icOnlyShare: 1 / 6, bothShare: 0 },
    salesforce: { clientId: 'ps-client', clientSecret: 'ps-secret', dailyMax: 10_000_000 },
    intercom: { rateLimit: has('ic-rate-limit') ? DEFAULT_RATE_LIMIT : HIGH_RATE_LIMIT },
  });
  const smtp = await startSmtpSink();
  const sf = sandboxes.salesforce.counts();
  const icContacts = sandboxes.intercom.counts().total;
  console.log(
    `data: ${sf.Lead} Leads + ${sf.Contact} Contacts, ${icContacts} Intercom contacts (generated in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );

  const nc = await connect({ servers: nats.url, ...DEV_USERS.worker });
  await provision(nc, topology(), 1);
  const settingsKv = typedKv(await nc.jetstream().views.kv('peoplesync_settings'), 'peoplesync_settings', nc);
  await writeSettings(settingsKv, WS, defaultSettings({ sfApiLimit: 5_000_000, pollIntervalSeconds: 86_400 }));
  const dir = await mkdtemp(join(tmpdir(), 'ps-bench-'));
  const workers: ChildProcess[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const configFile = join(dir, `worker-${i}.json`);
    await writeFile(
      configFile,
      JSON.stringify({
        nats: { servers: [nats.url], ...DEV_USERS.worker },
        dataDir: join(dir, `data-${i}`),
        logLevel: 'warn',
        leaseTtlMs: LEASE_TTL_MS,
        smtp: { host: smtp.host, port: smtp.port },
        http: { host: '127.0.0.1', port: await freePort() },
        workspaces: [sandboxWorkspace(WS, sandboxes)],
      }),
    );
    const logFile = join(tmpdir(), `ps-bench-worker-${i}.log`);
    workers.push(startWorkerProcess(configFile, logFile, PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : []));
    console.log(`worker ${i} log: ${logFile}`);
  }
  const m = new Messenger(nc, 'peoplesync', 'msgpack');
  try {
    for (let i = 0; ; i++) {
      try {
        await m.request(BulkStatus, WS, {}, 2_000);
        break;
      } catch (err) {
        if (i > 300) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    sandboxes.salesforce.resetStats();
    sandboxes.intercom.resetStats();
    const icSamples: CallSample[] = [];
    const updateSamples: CallSample[] = [];
    const sampler = setInterval(() => {
      const at = Date.now();
      icSamples.push({ at, calls: icAllowed(sandboxes) });
      updateSamples.push({ at, calls: icUpdates(sandboxes) });
    }, 100);
    const jitter = has('latency') ? setInterval(() => jitterLatency(sandboxes), 50) : undefined;
    const started = Date.now();
    const run = await startRun(m);
    const samples: Sample[] = [];
    let end: Run | null = null;
    while (!end) {
      await new Promise((r) => setTimeout(r, 1_000));
      const r = await statusOf(m);
      samples.push({
        at: Date.now() - started,
        percent: r?.percent ?? 0,
        phase: r?.phase ?? 'index',
        rss: workers.map((w) => rssOf(w.pid ?? 0).rss),
      });
      if (r && r.runId === run.runId && r.status !== 'running' && r.status !== 'paused') end = r;
    }
    const wall = (Date.now() - started) / 1000;
    clearInterval(sampler);
    clearInterval(jitter);
    report(end, wall, samples, workers, sandboxes, icContacts);
    if (has('ic-rate-limit')) reportRateShare(icSamples, updateSamples, sandboxes, WORKERS);
    // Wall time moves with whatever else the shared cores run; CPU per record is the steadier figure.
    const records = end.counts.scanned;
    const cpu = workers.map((w) => cpuOf(w.pid ?? 0));
    const natsCpu = cpuOf(nats.pid);
    console.log(
      `CPU: worker ${cpu.map((c) => `${c.toFixed(1)} s`).join(', ')} (${Math.round((cpu.reduce((a, b) => a + b, 0) * 1e6) / records)} µs a record), ` +
        `nats-server ${natsCpu.toFixed(1)} s (${Math.round((natsCpu * 1e6) / records)} µs a record)`,
    );
    const mail = await smtp.waitForMail(0, 30_000).catch(() => null);
    console.log(`email: ${mail ? mail.subject : 'none arrived'}`);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await nc.close();
    await sandboxes.close();
    await smtp.close();
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Leadership may still be settling between freshly started workers: ask again for a while. */
async function startRun(m: Messenger): Promise<Run> {
  for (let i = 0; ; i++) {
    try {
      return (await m.request(BulkStart, WS, { startedBy: 'bench' }, 20_000)).run;
    } catch (err) {
      if (!(err instanceof ControlError) || err.status < 500 || i >= 30) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Intercom calls the sandbox let through (answered, not refused for the rate limit). */
function icAllowed(sandboxes: Awaited<ReturnType<typeof startSandboxes>>): number {
  const st = sandboxes.intercom.stats().statuses;
  return Object.entries(st).reduce((n, [code, k]) => (code === '429' ? n : n + k), 0);
}

/** Real latencies: 50-150 ms a call, drawn uniformly. */
function jitterLatency(sandboxes: Awaited<ReturnType<typeof startSandboxes>>): void {
  const ms = () => 50 + Math.floor(Math.random() * 101);
  sandboxes.salesforce.setFaults({ latencyMs: ms() });
  sandboxes.intercom.setFaults({ latencyMs: ms() });
}

/** Intercom update calls made so far (refused ones too): when the run was updating. */
function icUpdates(sandboxes: Awaited<ReturnType<typeof startSandboxes>>): number {
  return sandboxes.intercom.stats().calls['PUT /contacts/{id}'] ?? 0;
}

/** The share of Intercom's allowed rate used over the whole run's Intercom calls, and over the
 * span of its updates (the index phase lists contacts by one cursor, a page at a time: it cannot
 * use the limit, whatever the number of workers). */
function reportRateShare(
  all: CallSample[],
  updates: CallSample[],
  sandboxes: Awaited<ReturnType<typeof startSandboxes>>,
  workers: number,
): void {
  const { limit, windowMs } = DEFAULT_RATE_LIMIT;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const whole = rateShare(all, limit, windowMs);
  const writing = rateShare(all, limit, windowMs, spanOf(updates));
  const shares = writing.windows.map((w) => w.share);
  const inWindows = writing.windows.reduce((n, w) => n + w.calls, 0) / (writing.windows.length * limit);
  // The span's own share can pass 100 %: its first and last windows are partly outside it, and
  // the service lets a window's whole budget through in whatever part of it calls come.
  console.log(
    `Intercom rate (${workers} worker${workers === 1 ? '' : 's'}; limit ${limit} a ${windowMs / 1000} s window; ` +
      `${sandboxes.intercom.stats().rateLimited} refused with 429): whole run ${whole.calls} calls over ${whole.spanSeconds.toFixed(1)} s = ` +
      `${pct(whole.share)}; while updating ${writing.calls} calls over ${writing.spanSeconds.toFixed(1)} s (${pct(writing.share)}), ` +
      `in its ${writing.windows.length} whole windows ${pct(inWindows)} (median ${pct(median(shares))}, min ${pct(Math.min(...shares))})`,
  );
  console.log(`Intercom calls a window while updating: ${writing.windows.map((w) => w.calls).join(' ')}`);
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function report(
  run: Run,
  wall: number,
  samples: Sample[],
  workers: ChildProcess[],
  sandboxes: Awaited<ReturnType<typeof startSandboxes>>,
  icContacts: number,
): void {
  const sf = sandboxes.salesforce.counts();
  const records = sf.Lead + sf.Contact;
  const byKind = sandboxes.salesforce.stats().byKind;
  const sfCalls = byKind.query + byKind.queryMore + byKind.update;
  const sfBound = Math.ceil(sf.Lead / 2000) + Math.ceil(sf.Contact / 2000) + Math.ceil(run.counts.updatedSalesforce / 200);
  const icCalls = Object.values(sandboxes.intercom.stats().calls).reduce((a, b) => a + b, 0);
  const icBound = Math.ceil(icContacts / 150) + run.counts.updatedIntercom;
  const c = run.counts;
  console.log(`run ${run.runId}: ${run.status}${run.reason ? ` (${run.reason})` : ''}`);
  console.log(
    `counts: scanned ${c.scanned}, in common ${c.inCommon}, unmatched ${c.unmatched}, ambiguous ${c.ambiguous}, skipped ${c.skipped}, ` +
      `updated SF ${c.updatedSalesforce}, updated IC ${c.updatedIntercom}, unchanged ${c.unchanged}, failed ${c.failed}`,
  );
  console.log(`wall time: ${wall.toFixed(1)} s; ${Math.round(records / wall)} Salesforce records/s`);
  console.log(
    `Salesforce calls: ${sfCalls} (query ${byKind.query}, update ${byKind.update}; lower bound ${sfBound} + 2 counts; ratio ${(sfCalls / (sfBound + 2)).toFixed(2)}x)`,
  );
  console.log(
    `Intercom calls: ${icCalls} (lower bound ${icBound} = ${Math.ceil(icContacts / 150)} list pages + ${c.updatedIntercom} updates; ratio ${(icCalls / icBound).toFixed(2)}x) ${JSON.stringify(sandboxes.intercom.stats().calls)}`,
  );
  const peaks = workers.map((w) => rssOf(w.pid ?? 0).peak);
  console.log(
    `peak RSS: worker ${peaks.map((p) => `${p} MB`).join(', ')}; sandboxes+bench ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  );
  const quarter = [25, 50, 75, 100].map((q) => samples.find((s) => s.percent >= q) ?? samples[samples.length - 1]);
  const phaseAt = (p: string) => samples.find((x) => x.phase === p)?.at;
  console.log(
    `phases reached (s): contacts ${((phaseAt('contacts') ?? 0) / 1000).toFixed(0)}, leads ${((phaseAt('leads') ?? 0) / 1000).toFixed(0)}, done ${wall.toFixed(0)}`,
  );
  console.log(`worker RSS at 25/50/75/100%: ${quarter.map((s) => `${s.rss.join('/')} MB @${(s.at / 1000).toFixed(0)}s`).join(', ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
