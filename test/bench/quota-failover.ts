// How long quota grants nothing when its leader dies: 4 hosts run the quota actor (lease TTL 5 s,
// the default), a client asks for one token every 20 ms, and the leader's connection is closed
// (as a killed process's is) ten times; for each kill, the time from the kill to the next grant.
// Run: npx tsx test/bench/quota-failover.ts [--kills 10] [--ttl 5000]
import { connect, type NatsConnection } from 'nats';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { writeSettings } from '../../actors/domain/index.ts';
import { createQuotaActor } from '../../actors/quota/index.ts';
import { QuotaAcquire, topology } from '../../protocol/index.ts';
import { ActorHost, Messenger, createLogger, provision, typedKv } from '../../runtime/index.ts';
import { startNatsServer, USERS } from '../helpers/nats-server.ts';
import { QUOTA_SERVICES } from './quota-services.ts';
import { num } from './worker-process.ts';

const WS = 'ws1';
const KILLS = num('kills', 10);
const TTL = num('ttl', 5_000);

async function startHost(url: string): Promise<{ host: ActorHost; nc: NatsConnection }> {
  const nc = await connect({ servers: url, ...USERS.worker });
  const host = new ActorHost({
    nc,
    log: createLogger({ level: (process.env.BENCH_LOG as 'info') ?? 'fatal' }),
    workspaces: [WS],
    leaseTtlMs: TTL,
    services: QUOTA_SERVICES,
  });
  await host.start([createQuotaActor()]);
  return { host, nc };
}

async function main(): Promise<void> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url, ...USERS.worker });
  try {
    await provision(nc, topology(), 1);
    const settings = typedKv(await nc.jetstream().views.kv('peoplesync_settings'), 'peoplesync_settings', nc);
    await writeSettings(settings, WS, defaultSettings({ sfApiLimit: 1_000_000 }));
    const hosts = [];
    for (let i = 0; i < 4; i++) hosts.push(await startHost(server.url));
    const m = new Messenger(nc, 'peoplesync', 'msgpack');
    // When the last granted request was sent, and when it was answered.
    let lastGrant = { sentAt: 0, at: 0 };
    let asking = true;
    const loop = (async () => {
      while (asking) {
        const sentAt = Date.now();
        const r = await m.request(QuotaAcquire, WS, { cls: 'event', n: 1, holder: 'bench' }, 1_000).catch(() => null);
        if (r?.granted) lastGrant = { sentAt, at: Date.now() };
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    const gaps: number[] = [];
    const killed: typeof hosts = [];
    for (let k = 0; k < KILLS; k++) {
      while (!hosts.some((h) => h.host.isLeading('quota', WS)) || Date.now() - lastGrant.at > 100) {
        await new Promise((r) => setTimeout(r, 50));
      }
      // Kill at a random moment of the followers' lease checks (each checks every third of the TTL),
      // not in step with this loop's own pacing.
      await new Promise((r) => setTimeout(r, Math.random() * TTL));
      const leader = hosts.find((h) => h.host.isLeading('quota', WS))!;
      await leader.nc.close();
      const killedAt = Date.now();
      hosts.splice(hosts.indexOf(leader), 1);
      killed.push(leader);
      // The first grant asked for after the leader was gone.
      while (lastGrant.sentAt < killedAt) await new Promise((r) => setTimeout(r, 10));
      gaps.push(lastGrant.at - killedAt);
      hosts.push(await startHost(server.url));
    }
    asking = false;
    await loop;
    const sorted = [...gaps].sort((a, b) => a - b);
    console.log(
      `lease TTL ${TTL} ms, ${KILLS} leader kills: no grant for median ${sorted[Math.floor(KILLS / 2)]} ms, ` +
        `min ${sorted[0]}, max ${sorted[KILLS - 1]} (each: ${gaps.join(', ')})`,
    );
    for (const h of hosts) await h.host.stop(500).then(() => h.nc.close());
    // The killed hosts' timers still run in this process, as a killed process's would not.
    for (const h of killed) await h.host.stop(0).catch(() => undefined);
  } finally {
    await nc.close();
    await server.stop();
  }
}

await main();
