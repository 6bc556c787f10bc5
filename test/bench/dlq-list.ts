// Dead-letter listing against a real nats-server, through the errors actor's endpoint as the CLI
// asks it: 10,000 letters (bodies of 1 KB, as the work queues leave them), then the first page of
// 100, a page of 1,000, every letter by pages of 1,000, and a filter that matches one letter in 50.
// Median and worst of 5 each.
// Run: npx tsx test/bench/dlq-list.ts [--letters 10000]
import { connect, headers as natsHeaders } from 'nats';
import { errorsActor } from '../../actors/errors/actor.ts';
import { DlqList, Headers, type ReplyOf } from '../../protocol/index.ts';
import { ActorHost, createLogger } from '../../runtime/index.ts';
import { startNatsServer, USERS } from '../helpers/nats-server.ts';

const arg = process.argv.indexOf('--letters');
const N = arg >= 0 ? Number(process.argv[arg + 1]) : 10_000;
const WS = 'bench';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url, ...USERS.worker });
  try {
    const host = new ActorHost({ nc, log: createLogger({ level: 'silent' }), workspaces: [WS] });
    await host.start([errorsActor]);
    const js = nc.jetstream();
    const body = new Uint8Array(1_024).fill(0x61);
    const t0 = performance.now();
    for (let i = 0; i < N; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, N - i) }, (_, k) => {
          const h = natsHeaders();
          h.set(Headers.type, 'sfwrite.batch.v1');
          h.set(Headers.dlqReason, (i + k) % 50 === 0 ? 'max_deliveries' : 'invalid_body');
          h.set(Headers.dlqSubject, `peoplesync.work.${WS}.sfwrite.bulk`);
          h.set(Headers.dlqError, 'DecodeError: sfwrite.batch.v1 body is invalid: updates: expected array');
          h.set(Headers.dlqAt, new Date().toISOString());
          return js.publish(`peoplesync.dlq.${WS}.sfwrite`, body, { headers: h });
        }),
      );
    }
    console.log(`${N} letters written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const time = async (what: string, fn: () => Promise<number>) => {
      const ms: number[] = [];
      let got = 0;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        got = await fn();
        ms.push(performance.now() - t);
      }
      console.log(`${what}: ${got} letters, median ${median(ms).toFixed(0)} ms (worst ${Math.max(...ms).toFixed(0)})`);
    };
    const page = (q: Record<string, unknown>): Promise<ReplyOf<typeof DlqList>> => host.messenger.request(DlqList, WS, q, 60_000);
    const every = async (q: Record<string, unknown>) => {
      let n = 0;
      for (let after: number | null = 0; after !== null;) {
        const p = await page({ ...q, limit: 1_000, after });
        n += p.letters.length;
        after = p.next;
      }
      return n;
    };
    await time('first page of 100', async () => (await page({})).letters.length);
    await time('a page of 1,000', async () => (await page({ limit: 1_000 })).letters.length);
    await time(`all ${N} by pages of 1,000`, () => every({}));
    await time('all max_deliveries (1 in 50) by pages', () => every({ reason: 'max_deliveries' }));
    await host.stop(1_000);
  } finally {
    await nc.close();
    await server.stop();
  }
}

await main();
