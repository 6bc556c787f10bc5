// Sync-error listing against a real nats-server: the errors actor reads every error of the
// workspace per list (one watched pass), so this prints what a list, a count and a retry-by-cause
// cost as the number of open errors grows, and how fast reports are recorded.
//   A. recording: ReportSyncError items through the errors queue, errors/s;
//   B. ErrorsList (first page of 50, newest first), ErrorsCount: median and worst of 5 requests.
// Run: npx tsx test/bench/errors-list.ts [--errors 1000,10000]
import { connect } from 'nats';
import { errorsActor } from '../../actors/errors/actor.ts';
import { ErrorsCount, ErrorsList, ReportSyncError, type ErrorCause } from '../../protocol/index.ts';
import { ActorHost, createLogger } from '../../runtime/index.ts';
import { startNatsServer, USERS } from '../helpers/nats-server.ts';

const arg = process.argv.indexOf('--errors');
const SIZES = (arg >= 0 ? process.argv[arg + 1] : '1000,10000').split(',').map(Number);
const CAUSES: ErrorCause[] = ['validation_rule', 'field_too_long', 'invalid_value', 'duplicate', 'not_found'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url, ...USERS.worker });
  try {
    let written = 0;
    for (const target of SIZES) {
      const ws = `bench${target}`;
      const host = new ActorHost({ nc, log: createLogger({ level: 'silent' }), workspaces: [ws], concurrency: 64 });
      await host.start([errorsActor]);
      const t0 = performance.now();
      const sends: Promise<void>[] = [];
      for (let i = 0; i < target; i++) {
        const sfId = `003${String(i).padStart(12, '0')}AAA`;
        sends.push(
          host.messenger.publish(
            ReportSyncError,
            ws,
            {
              syncType: 'bulk',
              direction: i % 3 ? 'intercom_to_salesforce' : 'salesforce_to_intercom',
              sfObject: 'Contact',
              sfId,
              icId: null,
              attributes: ['Title'],
              cause: CAUSES[i % CAUSES.length],
              message: `Title: value refused for record ${i}`,
              details: { statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: ['Title'] },
              run: null,
              at: Date.now() + i,
            },
            { cls: 'event' },
          ),
        );
        if (sends.length >= 500) await Promise.all(sends.splice(0));
      }
      await Promise.all(sends);
      for (;;) {
        const { total } = await host.messenger.request(ErrorsCount, ws, {});
        if (total >= target) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const recordS = (performance.now() - t0) / 1000;
      written += target;
      const list: number[] = [];
      const count: number[] = [];
      for (let i = 0; i < 5; i++) {
        let t = performance.now();
        await host.messenger.request(ErrorsList, ws, { direction: 'all', limit: 50 }, 60_000);
        list.push(performance.now() - t);
        t = performance.now();
        await host.messenger.request(ErrorsCount, ws, {}, 60_000);
        count.push(performance.now() - t);
      }
      console.log(
        `${target} errors: recorded ${Math.round(target / recordS)}/s; ErrorsList median ${median(list).toFixed(0)} ms ` +
          `(worst ${Math.max(...list).toFixed(0)}); ErrorsCount median ${median(count).toFixed(0)} ms (worst ${Math.max(...count).toFixed(0)})`,
      );
      await host.stop(1_000);
    }
    console.log(`(${written} errors written in all)`);
  } finally {
    await nc.close();
    await server.stop();
  }
}

await main();
