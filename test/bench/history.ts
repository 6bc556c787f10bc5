// A person's history against a real nats-server: record.synced.v1 events on per-person subjects
// (record.synced.<sfId>.<icId>), then history.person by Salesforce Id and by Intercom id, against
// reading the same answer the way it would be read without the key: every audit event of the
// stream, filtered by body. Also what the per-person subjects cost nats-server in memory.
//   A. publish: events/s; nats-server RSS before and after (/proc/<pid>/status);
//   B. history.person: median and worst of 20 look-ups by each id;
//   C. the full scan (ordered consumer over record.synced.>): one look-up's time.
// With --unkeyed the same events go to one subject (record.synced), as before they had a key, for
// the memory figure to compare; B and C are skipped then.
// Run: npx tsx test/bench/history.ts [--people 50000] [--per-person 2] [--unkeyed]
import { readFileSync } from 'node:fs';
import { connect } from 'nats';
import { historyActor } from '../../actors/history/index.ts';
import { Headers, PersonHistory, RecordSynced, decodeMessage, encodeBody, eventFilter, subject } from '../../protocol/index.ts';
import { ActorHost, createLogger } from '../../runtime/index.ts';
import { startNatsServer, USERS } from '../helpers/nats-server.ts';
import { num } from './worker-process.ts';

const PEOPLE = num('people', 50_000);
const PER_PERSON = num('per-person', 2);
const UNKEYED = process.argv.includes('--unkeyed');
const WS = 'bench';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sfId = (i: number) => `003${String(i).padStart(12, '0')}AAA`;
const icId = (i: number) => i.toString(16).padStart(24, '0');

async function main(): Promise<void> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url, ...USERS.worker });
  try {
    const host = new ActorHost({ nc, log: createLogger({ level: 'silent' }), workspaces: [WS] });
    await host.start([historyActor]);
    const rss0 = rssMb(server.pid);
    const t0 = performance.now();
    const sends: Promise<void>[] = [];
    for (let round = 0; round < PER_PERSON; round++) {
      for (let i = 0; i < PEOPLE; i++) {
        const change = { attribute: 'Title', from: `t${round}`, to: `t${round + 1}`, direction: 'salesforce_to_intercom' as const };
        const body = {
          direction: change.direction,
          syncType: 'bulk' as const,
          run: 'r1',
          settingsRevision: 1,
          sfObject: 'Contact' as const,
        };
        const event = { ...body, sfId: sfId(i), icId: icId(i), changes: [change], at: Date.now() };
        sends.push(
          UNKEYED
            ? nc
                .jetstream()
                .publish(subject('peoplesync', { kind: 'evt', ws: WS, topic: RecordSynced.topic }), encodeBody(event, 'msgpack'), {
                  headers: host.messenger.headersFor(RecordSynced.type),
                })
                .then(() => undefined)
            : host.messenger.publish(RecordSynced, WS, event, { cls: 'bulk' }),
        );
        if (sends.length >= 1_000) await Promise.all(sends.splice(0));
      }
    }
    await Promise.all(sends);
    const publishS = (performance.now() - t0) / 1000;
    const events = PEOPLE * PER_PERSON;
    const rss1 = rssMb(server.pid);
    console.log(
      `A. ${events.toLocaleString('en-US')} events of ${PEOPLE.toLocaleString('en-US')} people${UNKEYED ? ' on one subject' : ''}: ` +
        `${Math.round(events / publishS)} events/s; nats-server RSS ${rss0.toFixed(0)} -> ${rss1.toFixed(0)} MB`,
    );
    if (UNKEYED) return;

    for (const [what, key] of [
      ['Salesforce Id', (i: number) => sfId(i)],
      ['Intercom id', (i: number) => icId(i)],
    ] as const) {
      const times: number[] = [];
      for (let n = 0; n < 20; n++) {
        const i = Math.floor((n / 20) * PEOPLE);
        const t = performance.now();
        const h = await host.messenger.request(PersonHistory, WS, { key: key(i) });
        times.push(performance.now() - t);
        if (h.changes.length !== PER_PERSON) throw new Error(`person ${i}: ${h.changes.length} changes, not ${PER_PERSON}`);
      }
      console.log(`B. history.person by ${what}: median ${median(times).toFixed(1)} ms, worst ${Math.max(...times).toFixed(1)} ms`);
    }

    // Without the key, one person's history means reading every audit event.
    const js = nc.jetstream();
    const t1 = performance.now();
    const c = await js.consumers.get(host.topology.streams.events.name, {
      filterSubjects: [subject('peoplesync', { kind: 'evt', ws: WS, topic: eventFilter(RecordSynced) })],
    });
    const want = sfId(PEOPLE - 1);
    let seen = 0;
    let found = 0;
    const it = await c.consume({ max_messages: 1_000 });
    for await (const m of it) {
      seen++;
      const { body } = decodeMessage(m.headers?.get(Headers.type), m.data, m.headers?.get(Headers.contentType));
      if ((body as { sfId: string }).sfId === want) found++;
      if (m.info.pending === 0) break;
    }
    console.log(
      `C. the same look-up by scanning the stream: ${(performance.now() - t1).toFixed(0)} ms (${seen.toLocaleString('en-US')} events read, ${found} matched)`,
    );
    await host.stop(1_000);
  } finally {
    await nc.close();
    await server.stop();
  }
}

await main();
