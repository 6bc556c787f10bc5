// The runtime's own overhead: messages/s through one work-queue stage with a no-op handler
// (typed publish: msgpack + headers; consume: decode limits + decode + validate + handler + ack),
// against raw nats.js publish/consume of the same bytes in the same run, and this process's CPU
// time a message on each side. Records per message: 1 and 200.
//   npx tsx test/bench/runtime.ts [--messages 5000] [--rounds 5] [--records 1,200]
import { decode, encode } from '@msgpack/msgpack';
import { connect, AckPolicy, headers as natsHeaders, nanos } from 'nats';
import { encodeBody, MatchRecords } from '../../protocol/index.ts';
import { ActorHost, createLogger, on } from '../../runtime/index.ts';
import { startNatsServer, USERS } from '../helpers/nats-server.ts';
import { cpuOf, num } from './worker-process.ts';

// Messages per round (200-record messages: a quarter as many), and rounds of each side.
const N = num('messages', 5_000);
const ROUNDS = num('rounds', 5);
const at = process.argv.indexOf('--records');
const SIZES = at < 0 ? [1, 200] : process.argv[at + 1].split(',').map(Number);

function record(i: number) {
  return {
    Id: `00Q${String(i).padStart(15, '0')}`,
    SystemModstamp: '2024-01-01T00:00:00.000+0000',
    Email: `person${i}@example.com`,
    FirstName: 'Ada',
    LastName: 'Lovelace',
    Title: 'Engineer',
    Phone: '+44 20 7946 0000',
    Company: 'Analytical Engines',
  };
}

async function pipelined(n: number, window: number, send: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < n) await send(next++);
    }),
  );
}

interface Rates {
  pub: number;
  e2e: number;
  /** This process's CPU time (user + system) a message, µs: the side's own cost, whatever the
   * machine's other load does to wall-clock rates. */
  cpu: number;
  /** nats-server's CPU time a message, µs (10 ms ticks: a round of thousands of messages). */
  server: number;
}

/** CPU time of this process since `since`, µs. */
const cpuSince = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Rounds of the runtime and of raw nats.js in turn on one server, so a change in the machine's
 * load (other processes) falls on both sides alike; the medians of the rounds are compared. */
async function measure(recordsPerMsg: number, n: number, rounds: number) {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url, ...USERS.worker });
  // The raw stream is outside what nats.conf lets the worker user touch: the raw side runs as
  // the test-only admin (same server, same kind of connection).
  const raw = await connect({ servers: server.url, ...USERS.admin });
  const body = {
    batchId: 'b',
    settingsRevision: 1,
    object: 'Lead' as const,
    records: Array.from({ length: recordsPerMsg }, (_, i) => record(i)),
  };
  let handled = 0;
  let target = 0;
  let done: () => void = () => {};
  const host = new ActorHost({
    nc,
    log: createLogger({ level: 'silent' }),
    workspaces: ['ws1'],
    concurrency: 64,
    tuning: { maxAckPending: 1024 },
  });
  await host.start([
    {
      name: 'bench',
      queues: [
        {
          stage: 'match',
          classes: ['event'],
          concurrency: 64,
          handlers: [
            on(MatchRecords, async () => {
              if (++handled === target) done();
            }),
          ],
        },
      ],
    },
  ]);
  const runtimeRound = async (): Promise<Rates> => {
    target = handled + n;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const c0 = process.cpuUsage();
    const s0 = cpuOf(server.pid);
    const t0 = performance.now();
    await pipelined(n, 256, () => host.messenger.publish(MatchRecords, 'ws1', body, { cls: 'event' }));
    const pub = n / ((performance.now() - t0) / 1000);
    await finished;
    return { pub, e2e: n / ((performance.now() - t0) / 1000), cpu: cpuSince(c0) / n, server: ((cpuOf(server.pid) - s0) * 1e6) / n };
  };

  // Raw nats.js: the same body, a plain durable pull consumer, ack per message.
  const jsm = await raw.jetstreamManager();
  await jsm.streams.add({ name: 'RAW', subjects: ['peoplesync.bench.>'] });
  await jsm.consumers.add('RAW', { durable_name: 'raw', ack_policy: AckPolicy.Explicit, ack_wait: nanos(30_000), max_ack_pending: 1024 });
  const js = raw.jetstream();
  const h = natsHeaders();
  h.set('ps-type', MatchRecords.type);
  const rawRound = async (): Promise<Rates> => {
    const c0 = process.cpuUsage();
    const s0 = cpuOf(server.pid);
    const t0 = performance.now();
    const consumer = await js.consumers.get('RAW', 'raw');
    const msgs = await consumer.consume({ max_messages: 64 });
    let got = 0;
    const rawDone = (async () => {
      for await (const m of msgs) {
        decode(m.data); // an application reads what it receives: decode the same msgpack
        m.ack();
        if (++got === n) break;
      }
    })();
    // An application encodes what it sends: msgpack per message, like the runtime does.
    await pipelined(n, 256, () => js.publish('peoplesync.bench.x', encode(body), { headers: h }));
    const pub = n / ((performance.now() - t0) / 1000);
    await rawDone;
    return { pub, e2e: n / ((performance.now() - t0) / 1000), cpu: cpuSince(c0) / n, server: ((cpuOf(server.pid) - s0) * 1e6) / n };
  };

  const runtime: Rates[] = [];
  const rawRates: Rates[] = [];
  // A first round of each warms the JIT and is not counted.
  for (let i = 0; i <= rounds; i++) {
    const [rt, rw] = [await runtimeRound(), await rawRound()];
    if (i === 0) continue;
    runtime.push(rt);
    rawRates.push(rw);
  }
  await host.stop(1000);
  await raw.close();
  await nc.close();
  await server.stop();
  const pubRuntime = median(runtime.map((r) => r.pub));
  const e2eRuntime = median(runtime.map((r) => r.e2e));
  const pubRaw = median(rawRates.map((r) => r.pub));
  const e2eRaw = median(rawRates.map((r) => r.e2e));
  const ratios = runtime.map((r, i) => rawRates[i].e2e / r.e2e);
  const cpuRuntime = median(runtime.map((r) => r.cpu));
  const cpuRaw = median(rawRates.map((r) => r.cpu));
  const serverRuntime = median(runtime.map((r) => r.server));
  const serverRaw = median(rawRates.map((r) => r.server));
  return {
    recordsPerMsg,
    bytes: encodeBody(body, 'msgpack').length,
    pubRuntime,
    e2eRuntime,
    pubRaw,
    e2eRaw,
    ratios,
    cpuRuntime,
    cpuRaw,
    serverRuntime,
    serverRaw,
  };
}

const results = [];
for (const r of SIZES) results.push(await measure(r, r === 1 ? N : Math.max(500, Math.floor(N / 4)), ROUNDS));
console.log(`runtime overhead: one work-queue stage, no-op handler, file store; medians of ${ROUNDS} alternating rounds`);
console.log(
  'records/msg  bytes/msg  runtime publish/s  runtime end-to-end/s  raw publish/s  raw end-to-end/s  raw/runtime (e2e)  CPU µs/msg runtime  raw  ratio  nats-server µs/msg runtime  raw  per round (e2e)',
);
for (const r of results) {
  console.log(
    [
      String(r.recordsPerMsg).padStart(11),
      String(r.bytes).padStart(9),
      r.pubRuntime.toFixed(0).padStart(17),
      r.e2eRuntime.toFixed(0).padStart(21),
      r.pubRaw.toFixed(0).padStart(14),
      r.e2eRaw.toFixed(0).padStart(17),
      (r.e2eRaw / r.e2eRuntime).toFixed(2).padStart(18),
      r.cpuRuntime.toFixed(1).padStart(18),
      r.cpuRaw.toFixed(1).padStart(4),
      (r.cpuRuntime / r.cpuRaw).toFixed(2).padStart(5),
      r.serverRuntime.toFixed(1).padStart(26),
      r.serverRaw.toFixed(1).padStart(4),
      r.ratios.map((x) => x.toFixed(2)).join(' '),
    ].join('  '),
  );
}
