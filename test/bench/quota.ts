// The quota leader under load, against its own nats-server.
//   A. Grants/s one leader sustains: the leader runs in a child process (its own core), the
//      parent keeps C acquire requests in flight (n = 1, the size the sync actors ask for) and
//      counts answers, latency and the KV writes they shared (group commit).
//   B. Overshoot past 40%: 4 workers (each hosting the quota actor, so 3 forward to the leader)
//      race for bulk tokens, spending every lease in full through the token broker, with a share
//      of leases making one call beyond the lease (a retry), reported afterwards as plain usage.
//      Overshoot = use the leader counts once everything has landed, minus the bulk threshold.
// Run: npx tsx test/bench/quota.ts [--seconds 3] [--limit 20000]
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from 'nats';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { writeSettings } from '../../actors/domain/index.ts';
import { WINDOW_MINUTES, createQuotaActor, leaseMaxFor, thresholdFor } from '../../actors/quota/index.ts';
import { QuotaAcquire, QuotaUsageShow, topology } from '../../protocol/index.ts';
import { ActorHost, Messenger, QuotaRefusedError, createLogger, provision, typedKv } from '../../runtime/index.ts';
import { startNatsServer, USERS } from '../helpers/nats-server.ts';
import { QUOTA_SERVICES } from './quota-services.ts';
import { waitFor } from '../helpers/host.ts';

const WS = 'ws1';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number, got ${process.argv[i + 1]}`);
  return v;
}

async function startLeaderHost(url: string): Promise<{ host: ActorHost; nc: NatsConnection }> {
  const nc = await connect({ servers: url, ...USERS.worker });
  const host = new ActorHost({ nc, log: createLogger({ level: 'fatal' }), workspaces: [WS], leaseTtlMs: 1_000, services: QUOTA_SERVICES });
  await host.start([createQuotaActor()]);
  return { host, nc };
}

/** Child mode: host the quota actor until stdin closes. */
async function serveLeader(url: string): Promise<void> {
  const { host, nc } = await startLeaderHost(url);
  console.log('started');
  process.stdin.resume();
  process.stdin.on(
    'end',
    () =>
      void host
        .stop(1_000)
        .then(() => nc.close())
        .then(() => 0)
        .then(process.exit),
  );
}

function startChild(url: string): Promise<ChildProcess> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--leader', url], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`leader process exited with ${code}`)));
  });
}

async function setLimit(nc: NatsConnection, limit: number): Promise<void> {
  const kv = typedKv(await nc.jetstream().views.kv('peoplesync_settings'), 'peoplesync_settings', nc);
  await writeSettings(kv, WS, defaultSettings({ sfApiLimit: limit }));
}

async function quotaWrites(nc: NatsConnection): Promise<number> {
  const info = await (await nc.jetstreamManager()).streams.info('KV_peoplesync_quota');
  return info.state.last_seq;
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** A leader that has run for a day: one bucket in each of the window's 1,440 minutes. */
async function seedFullWindow(nc: NatsConnection): Promise<void> {
  const now = Math.floor(Date.now() / 60_000);
  const buckets = Array.from({ length: WINDOW_MINUTES }, (_, i) => [now - WINDOW_MINUTES + 1 + i, 3]);
  const kv = typedKv(await nc.jetstream().views.kv('peoplesync_quota'), 'peoplesync_quota', nc);
  await kv.put(WS, {
    v: 1,
    window: { v: 1, buckets },
    grants: [],
    org: { used: 50_000, max: 10_000_000, at: Date.now(), ownAt: 4_320 },
    limitExceededAt: null,
  });
}

async function grantRate(url: string, seconds: number, fullWindow: boolean): Promise<void> {
  const clients = await Promise.all(Array.from({ length: 4 }, () => connect({ servers: url, ...USERS.worker })));
  const ms = clients.map((nc) => new Messenger(nc, 'peoplesync', 'msgpack'));
  await setLimit(clients[0], 1_000_000_000); // never refused: the figure is the leader's own cost
  if (fullWindow) await seedFullWindow(clients[0]);
  const child = await startChild(url);
  await waitFor(
    () =>
      ms[0].request(QuotaUsageShow, WS, {}).then(
        () => true,
        () => false,
      ),
    { what: 'leader ready', timeoutMs: 20_000 },
  );
  console.log(fullWindow ? '   window full (1,440 minute buckets) and an org view:' : '   window empty:');
  for (const inFlight of [1, 16, 64, 256]) {
    const lat: number[] = [];
    let granted = 0;
    const w0 = await quotaWrites(clients[0]);
    const end = performance.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async (_, i) => {
        const m = ms[i % ms.length];
        while (performance.now() < end) {
          const s = performance.now();
          const r = await m.request(QuotaAcquire, WS, { cls: 'event', n: 1, holder: 'bench' });
          lat.push(performance.now() - s);
          granted += r.granted;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const writes = (await quotaWrites(clients[0])) - w0;
    lat.sort((a, b) => a - b);
    console.log(
      `   ${String(inFlight).padEnd(5)} ${Math.round(granted / secs)
        .toString()
        .padStart(8)}   ${pct(lat, 50).toFixed(2).padStart(6)}   ` +
        `${pct(lat, 99).toFixed(2).padStart(6)}   ${(granted / Math.max(1, writes)).toFixed(1).padStart(6)}`,
    );
  }
  child.stdin?.end();
  await new Promise((r) => child.once('exit', r));
  await Promise.all(clients.map((nc) => nc.close()));
}

async function overshoot(url: string, limit: number, extraShare: number): Promise<void> {
  const hosts = await Promise.all(Array.from({ length: 4 }, () => startLeaderHost(url)));
  const threshold = thresholdFor('bulk', limit);
  try {
    await waitFor(
      () =>
        hosts[0].host.messenger.request(QuotaUsageShow, WS, {}).then(
          () => true,
          () => false,
        ),
      { what: 'leader', timeoutMs: 20_000 },
    );
    let granted = 0;
    let extra = 0;
    const t0 = performance.now();
    // 4 workers x 8 handlers each, every lease one token (a page read or an update call).
    await Promise.all(
      hosts.flatMap(({ host }) =>
        Array.from({ length: 8 }, async () => {
          for (;;) {
            try {
              await host.tokens.withTokens(WS, 'bulk', 1, async (lease) => {
                granted += lease.granted;
                const beyond = Math.random() < extraShare ? 1 : 0;
                extra += beyond;
                host.tokens.report(WS, { calls: lease.granted + beyond });
              });
            } catch (err) {
              if (!(err instanceof QuotaRefusedError)) throw err;
              if (err.tier !== 'normal') return; // bulk paused: the race is over for this handler
              await new Promise((r) => setTimeout(r, 50)); // leader still loading
            }
          }
        }),
      ),
    );
    const secs = (performance.now() - t0) / 1000;
    await Promise.all(hosts.map(({ host }) => host.tokens.flush()));
    await new Promise((r) => setTimeout(r, 1_500)); // reports land (flush 200 ms, queue, commit)
    const used = (await hosts[0].host.messenger.request(QuotaUsageShow, WS, {})).usedByWorkspace;
    const over = used - threshold;
    console.log(
      `   ${(extraShare * 100).toFixed(0).padStart(3)}%   ${String(granted).padStart(7)}   ${String(extra).padStart(6)}   ` +
        `${String(used).padStart(7)}   ${String(over).padStart(5)} (${((over * 100) / limit).toFixed(3)}% of the limit)   ` +
        `${Math.round(granted / secs)} grants/s`,
    );
  } finally {
    await Promise.all(
      hosts.map(async ({ host, nc }) => {
        await host.stop(1_000);
        await nc.close();
      }),
    );
  }
}

async function main(): Promise<void> {
  const li = process.argv.indexOf('--leader');
  if (li >= 0) return serveLeader(process.argv[li + 1]);
  const seconds = arg('seconds', 3);
  const limit = arg('limit', 20_000);
  const server = await startNatsServer();
  try {
    const nc = await connect({ servers: server.url, ...USERS.worker });
    await provision(nc, topology(), 1);
    console.log('A. grants/s of one quota leader (own process), acquire n=1, C requests in flight from 4 connections');
    console.log('   C     grants/s   p50 ms   p99 ms   grants per KV write');
    await grantRate(server.url, seconds, false);
    await grantRate(server.url, seconds, true);

    console.log(
      `\nB. overshoot past 40%: 4 workers x 8 handlers race for bulk tokens (n=1); limit ${limit}, ` +
        `threshold ${thresholdFor('bulk', limit)}, lease max ${leaseMaxFor(limit)}`,
    );
    console.log('   beyond  granted   extra    counted   overshoot');
    for (const share of [0, 0.1]) {
      await (await nc.jetstream().views.kv('peoplesync_quota')).purge(WS);
      await setLimit(nc, limit);
      await overshoot(server.url, limit, share);
    }
    await nc.close();
  } finally {
    await server.stop();
  }
}

await main();
