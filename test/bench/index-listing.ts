// What listing the identity index would cost, against reading the 4,096 directory shards that
// name it instead (actors/matching/directory.ts): N entries of about 600 bytes, N lookups and the
// shards in one bucket; each way timed twice, with the client's CPU.
//   npx tsx test/bench/index-listing.ts [--entries 100000]
import { connect } from 'nats';
import { DEV_USERS, startLocalNats } from '../../cli/local-nats.ts';
import { topology } from '../../protocol/index.ts';
import { provision, typedKv } from '../../runtime/index.ts';

const args = process.argv.slice(2);
const N = Number(args[args.indexOf('--entries') + 1] || 100_000) || 100_000;
const SHARDS = 4096;
const shardKey = (s: number) => `ws.d.${s.toString(16).padStart(3, '0')}`;

function entry(i: number) {
  const email = `p${i}@example.com`;
  const contact = { id: `c${i}`, name: 'Ada Lovelace', email, phone: '+44 20 7946 0000', custom_attributes: { plan: 'pro' } };
  return { id: `c${i}`, role: 'user', email, updatedAt: 1, indexedAt: 2, contact: { ...contact, notes: 'x'.repeat(300) } };
}

async function timed(name: string, fn: () => Promise<number>): Promise<void> {
  const t = Date.now();
  const c = process.cpuUsage();
  const n = await fn();
  const used = process.cpuUsage(c);
  console.log(
    `  ${name.padEnd(52)} ${String(n).padStart(7)} in ${Date.now() - t} ms, client CPU ${Math.round((used.user + used.system) / 1000)} ms`,
  );
}

const server = await startLocalNats();
const nc = await connect({ servers: server.url, ...DEV_USERS.worker });
try {
  await provision(nc, topology(), 1);
  const raw = await nc.jetstream().views.kv('peoplesync_index', { bindOnly: true });
  const kv = typedKv(raw, 'peoplesync_index', nc);
  for (let i = 0; i < N; i += 500) {
    const n = Math.min(500, N - i);
    await Promise.all(Array.from({ length: n }, (_, j) => kv.put(`ws.c.c${i + j}`, entry(i + j))));
    await Promise.all(Array.from({ length: n }, (_, j) => kv.put(`ws.e.h${i + j}`, { v: 'x', ids: [`c${i + j}`] })));
  }
  for (let s = 0; s < SHARDS; s++) await kv.put(shardKey(s), { ids: [] });
  console.log(`${N} entries, ${N} lookups, ${SHARDS} shards`);
  for (let rep = 0; rep < 2; rep++) {
    await timed('entries walked by batched direct gets', async () => {
      let n = 0;
      for await (const _ of kv.list('ws.c.*')) n++;
      return n;
    });
    await timed("keys by nats.js's key lister (misses keys being written)", async () => {
      let n = 0;
      for await (const _ of await raw.keys('ws.c.*')) n++;
      return n;
    });
    await timed(
      'directory shards by one batched get',
      async () => (await kv.getMany(Array.from({ length: SHARDS }, (_, s) => shardKey(s)))).length,
    );
  }
} finally {
  await nc.close();
  await server.stop();
}
