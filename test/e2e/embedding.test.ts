// peoplesync embedded in a larger NATS account: its subjects under another prefix (`corp.people`),
// beside an application of the same account with traffic and a stream of its own on `corp.orders`.
// A bulk sync runs; the NATS CLI works with the prefix; peoplesync publishes nothing outside it,
// its streams cover none of the other subjects, and the other stream is left as it was.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Msg, type NatsConnection, RetentionPolicy, StorageType, connect, headers as natsHeaders } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { writeSettings } from '../../actors/domain/index.ts';
import { DEFAULT_NATS_CONF, withUsers } from '../../cli/local-nats.ts';
import type { Worker } from '../../cli/worker.ts';
import { BulkStart, BulkStatus, type Run, topology } from '../../protocol/index.ts';
import { provision, typedKv } from '../../runtime/index.ts';
import { waitFor } from '../helpers/host.ts';
import { jsonBlocks, nats } from '../helpers/nats-cli.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT } from './bulk-expected.ts';

const PREFIX = 'corp.people';
const APP = { user: 'app', pass: 'app-dev-password' };

let dir: string;
let sys: TestSystem;
let worker: Worker;
let app: NatsConnection;
const seen: { subject: string; fromApp: boolean }[] = [];
let published = 0;
let appTimer: NodeJS.Timeout | undefined;

/** nats.conf with peoplesync's subjects, streams and buckets moved under the prefix, and an
 * application user of the same account that may use any subject. */
async function embeddedConfig(): Promise<string> {
  const base = (await readFile(DEFAULT_NATS_CONF, 'utf8'))
    .replaceAll('peoplesync.', `${PREFIX}.`)
    .replaceAll('PEOPLESYNC_', 'CORP_PEOPLE_')
    .replaceAll('peoplesync_', 'corp_people_');
  const file = join(dir, 'embedded.conf');
  await writeFile(file, withUsers(base, [`{ user: ${APP.user}, password: ${APP.pass} }`]));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-embed-'));
  sys = await startSystem({
    generator: { people: 1_000 },
    settings: null,
    natsConfig: await embeddedConfig(),
    config: { ...FREE_PORT, prefix: PREFIX },
  });
  // The application: its own stream, publishing all along, and watching everything in the account.
  app = await connect({ servers: sys.nats.url, ...APP });
  const jsm = await app.jetstreamManager();
  await jsm.streams.add({ name: 'ORDERS', subjects: ['corp.orders.>'], retention: RetentionPolicy.Limits, storage: StorageType.File });
  app.subscribe('>', {
    callback: (_e, m: Msg) => seen.push({ subject: m.subject, fromApp: m.headers?.get('app') === 'orders' }),
  });
  const h = natsHeaders();
  h.set('app', 'orders');
  appTimer = setInterval(() => {
    published++;
    void app.jetstream().publish(`corp.orders.${published % 2 ? 'created' : 'paid'}`, new TextEncoder().encode(`{"n":${published}}`), {
      headers: h,
    });
  }, 20);

  const workerNc = sys.nc;
  await provision(workerNc, topology({ prefix: PREFIX }), 1);
  const name = 'corp_people_settings';
  await writeSettings(
    typedKv(await workerNc.jetstream().views.kv(name), name, workerNc),
    WS,
    defaultSettings({ pollIntervalSeconds: 86_400 }),
  );
  worker = await sys.startWorker();
  await waitFor(() => worker.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
});
afterAll(async () => {
  clearInterval(appTimer);
  await app?.close();
  await sys?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('peoplesync under another prefix, beside another application', () => {
  it('syncs, answers the NATS CLI under its prefix, and touches nothing outside it', async () => {
    sys.sandboxes.salesforce.setFaults({ latencyMs: 300 });
    const { run } = await worker.host.messenger.request(BulkStart, WS, { startedBy: 'embedded' });

    const sub = await nats(sys.nats.url, 'observer', ['sub', `${PREFIX}.evt.>`, '--translate', './dist/cli/bin.js decode', '--count', '2']);
    expect(sub.out).toMatch(/Received on "corp\.people\.evt\.ws1\./);
    expect(jsonBlocks(sub.out)).toHaveLength(2);
    const streams = await nats(sys.nats.url, 'observer', ['stream', 'ls']);
    for (const s of ['CORP_PEOPLE_WORK', 'CORP_PEOPLE_EVENTS', 'CORP_PEOPLE_DLQ']) expect(streams.out).toContain(s);
    const info = await nats(sys.nats.url, 'operator', ['micro', 'info', 'peoplesync']);
    expect(info.out).toContain(`Subject: ${PREFIX}.ctl.*.bulk.status`);
    const req = await nats(sys.nats.url, 'operator', ['req', `${PREFIX}.ctl.${WS}.bulk.status`, '{}']);
    expect((JSON.parse(req.out.trim().split('\n').pop() as string) as { run: Run }).run.runId).toBe(run.runId);

    sys.sandboxes.salesforce.clearFaults();
    const done = await waitFor(
      async () => {
        const r = (await worker.host.messenger.request(BulkStatus, WS, {})).run;
        return r?.status === 'completed' ? r : null;
      },
      { what: 'run completed', timeoutMs: 60_000 },
    );
    expect(done.counts.scanned).toBe(sys.sandboxes.salesforce.counts().Lead + sys.sandboxes.salesforce.counts().Contact);
    clearInterval(appTimer);
    await app.flush();

    // Outside the JetStream, KV, service and inbox subjects, the account carried peoplesync's
    // subjects and the application's, nothing else; and on the application's, only its own.
    const system = /^(\$JS\.|\$KV\.|\$SRV\.|_INBOX(_[a-z]+)?\.)/;
    const other = seen.filter((s) => !system.test(s.subject) && !s.subject.startsWith(`${PREFIX}.`));
    expect(other.length).toBeGreaterThan(0);
    expect(other.filter((s) => !s.fromApp)).toEqual([]);
    expect(seen.filter((s) => s.subject.startsWith(`${PREFIX}.`)).length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.subject.startsWith('peoplesync.'))).toEqual([]);

    // Every stream of peoplesync is under its prefix; the application's stream holds what it
    // published and keeps its configuration.
    const jsm = await app.jetstreamManager();
    for await (const si of jsm.streams.list()) {
      if (si.config.name === 'ORDERS') {
        expect(si.config.subjects).toEqual(['corp.orders.>']);
        expect(si.state.messages).toBe(published);
        continue;
      }
      expect(si.config.name).toMatch(/^(CORP_PEOPLE_|KV_corp_people_)/);
      for (const s of si.config.subjects) expect(s.startsWith(`${PREFIX}.`) || s.startsWith('$KV.corp_people_')).toBe(true);
    }
  });
});
