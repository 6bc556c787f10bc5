// The users of nats.conf on a running system, probed the way an intruder with one of their
// passwords would: every refusal is a request the server turns down for lack of permission, and
// each probe is shown to work for a user allowed it (the worker, or the test-only admin), so a
// probe that asks the wrong question fails. The roles' own work runs without a refusal: a whole
// bulk run as the worker, a gateway process as the gateway, `peoplesync bulk status` as the operator.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, headers as natsHeaders } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../cli/worker.ts';
import { BulkStart, BulkStatus, BulkStop, type Run } from '../../protocol/index.ts';
import { signBody } from '../../sandbox/index.ts';
import { READER, bearer, consoleConfig } from '../helpers/console.ts';
import { waitFor } from '../helpers/host.ts';
import { type Prober, type ProbeUser, prober } from '../helpers/nats-probe.ts';
import { USERS, freePort, violations } from '../helpers/nats-server.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT } from './bulk-expected.ts';
import { BIN } from '../../cli/bin-flags.ts';

let sys: TestSystem;
let worker: Worker;
let dir: string;
const probes = {} as Record<ProbeUser, Prober>;
/** A key of each bucket that holds people's data, found by the admin. */
const keys = { settings: WS, link: '', email: '' };
let dlqSeq = 0;
let workSeq = 0;
let gatewayBase = '';

const KV = (bucket: string, key: string) => `$KV.peoplesync_${bucket}.${key}`;
const status = () => worker.host.messenger.request(BulkStatus, WS, {});

async function firstKey(bucket: string, pattern: RegExp): Promise<string> {
  const kv = await sys.admin.jetstream().views.kv(`peoplesync_${bucket}`);
  for await (const k of await kv.keys()) if (pattern.test(k)) return k;
  throw new Error(`no key like ${pattern} in ${bucket}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ps-perm-'));
  sys = await startSystem({ generator: { people: 300 }, settings: { pollIntervalSeconds: 86_400 }, config: FREE_PORT });
  worker = await sys.startWorker();
  await waitFor(() => worker.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
  // A whole run first, so the index, the links and the email lookups hold values.
  const first = (await worker.host.messenger.request(BulkStart, WS, { startedBy: 'perm-test' })).run;
  await waitFor(async () => (await status()).run?.status === 'completed' || null, { what: 'first run done', timeoutMs: 60_000 });
  expect(first.runId).toBeTruthy();
  keys.link = await firstKey('links', /^ws1\.sf\./);
  keys.email = await firstKey('index', /^ws1\.e\./);
  // A dead letter: a body no schema can read.
  const h = natsHeaders();
  h.set('ps-type', 'notify.run-finished.v1');
  await sys.nc.jetstream().publish(`peoplesync.work.${WS}.notify.event`, new Uint8Array([0xc1]), { headers: h });
  const jsm = await sys.admin.jetstreamManager();
  dlqSeq = await waitFor(async () => (await jsm.streams.info('PEOPLESYNC_DLQ')).state.last_seq || null, { what: 'a dead letter' });
  // A second run held up by a Salesforce that takes 30 s a call: its scan item stays in the queue.
  await worker.host.messenger.request(BulkStart, WS, { startedBy: 'perm-test' });
  sys.sandboxes.salesforce.setFaults({ latencyMs: 30_000 });
  workSeq = await waitFor(
    () =>
      jsm.streams.getMessage('PEOPLESYNC_WORK', { last_by_subj: `peoplesync.work.${WS}.scan.bulk` }).then(
        (m) => m.seq,
        () => null,
      ),
    { what: 'a scan item in the work queue', timeoutMs: 30_000 },
  );
  for (const u of Object.keys(USERS) as ProbeUser[]) probes[u] = await prober(sys.nats, u);
});
afterAll(async () => {
  await worker?.host.messenger.request(BulkStop, WS, { reason: 'user', by: 'perm-test' }).catch(() => undefined);
  await Promise.all(Object.values(probes).map((p) => p.close().catch(() => undefined)));
  await sys?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The ways to read a KV value, each as one request. */
const kvReads = (bucket: string, key: string): [string, unknown][] => [
  [`$JS.API.STREAM.MSG.GET.KV_peoplesync_${bucket}`, { last_by_subj: KV(bucket, key) }],
  [`$JS.API.DIRECT.GET.KV_peoplesync_${bucket}.${KV(bucket, key)}`, undefined],
  [`$JS.API.DIRECT.GET.KV_peoplesync_${bucket}`, { multi_last: [KV(bucket, key)] }],
];
/** The ways to read a stream's message by sequence. */
const bySeq = (stream: string, seq: number): [string, unknown][] => [
  [`$JS.API.STREAM.MSG.GET.${stream}`, { seq }],
  [`$JS.API.DIRECT.GET.${stream}`, { seq }],
];

describe('what each role needs, it has', () => {
  it('worker: a whole bulk run (every actor) is refused nothing', () => {
    expect(violations(sys.nats, 'worker')).toEqual([]);
  });

  it('operator: `peoplesync bulk status` with an operator config answers', async () => {
    const file = join(dir, 'operator.json');
    const { user, pass, inboxPrefix } = USERS.operator;
    await writeFile(
      file,
      JSON.stringify({ nats: { servers: [sys.nats.url], user, pass, inboxPrefix }, workspaces: sys.config.workspaces }),
    );
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'bulk', 'status', '--json', '--config', file]);
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('exit', (code) => resolve({ code: code ?? -1, out }));
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { run: Run }).run.status).toBe('running');
    expect(violations(sys.nats, 'operator')).toEqual([]);
  });

  it('gateway: a gateway process serves the API and webhooks as the gateway user', async () => {
    const port = await freePort();
    const { user, pass, inboxPrefix } = USERS.gateway;
    await sys.startWorker(['gateway'], {
      nats: { servers: [sys.nats.url], user, pass, inboxPrefix },
      http: { host: '127.0.0.1', port },
      console: await consoleConfig(),
    });
    gatewayBase = `http://127.0.0.1:${port}`;
    const headers = bearer(READER.token);
    const bulk = (await (await fetch(`${gatewayBase}/api/${WS}/bulk`, { headers })).json()) as { run: Run };
    expect(bulk.run.status).toBe('running');
    const history = (await (await fetch(`${gatewayBase}/api/${WS}/bulk/history`, { headers })).json()) as { runs: Run[] };
    expect(history.runs).toHaveLength(2);
    const contact = sys.sandboxes.intercom.contacts()[0];
    const body = JSON.stringify({
      type: 'notification_event',
      id: 'notif_perm',
      topic: 'contact.user.updated',
      app_id: 'app',
      data: { type: 'notification_event_data', item: contact },
      created_at: 1,
      delivery_attempts: 1,
      first_sent_at: 1,
    });
    const hook = await fetch(`${gatewayBase}/webhooks/intercom/${WS}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-hub-signature': signBody(body, 'hook-secret') },
    });
    expect(hook.status).toBe(200);
    expect(violations(sys.nats, 'gateway')).toEqual([]);
  });
});

describe('KV values: only the worker reads them (settings, links, the email index)', () => {
  const cases: [string, string][] = [
    ['settings', 'settings'],
    ['links', 'link'],
    ['index', 'email'],
  ];
  for (const [bucket, key] of cases) {
    it(`${bucket}: every read is refused to the observer, the operator and the gateway`, async () => {
      for (const [subject, body] of kvReads(bucket, keys[key as keyof typeof keys])) {
        const m = await probes.worker.answered(subject, body);
        expect(m.data.length).toBeGreaterThan(0);
        for (const u of ['observer', 'operator', 'gateway'] as const) await probes[u].refusedRequest(subject, body);
      }
    });
  }

  it('a KV watch (a consumer on a bucket) is refused to the observer, the operator and the gateway', async () => {
    for (const bucket of ['settings', 'links', 'index']) {
      const body = { stream_name: `KV_peoplesync_${bucket}`, config: { name: `probe_${bucket}`, ack_policy: AckPolicy.None } };
      // By name, and by the stream-wide subject nats.js makes a lost ordered consumer again with.
      for (const subject of [
        `$JS.API.CONSUMER.CREATE.KV_peoplesync_${bucket}.probe_${bucket}`,
        `$JS.API.CONSUMER.CREATE.KV_peoplesync_${bucket}`,
      ])
        for (const u of ['observer', 'operator', 'gateway'] as const) await probes[u].refusedRequest(subject, body);
    }
  });

  it('run records stay readable to all (`nats kv get peoplesync_runs <ws>.current`)', async () => {
    for (const u of ['observer', 'operator', 'gateway'] as const) {
      const m = await probes[u].answered(`$JS.API.DIRECT.GET.KV_peoplesync_runs.${KV('runs', `${WS}.current`)}`);
      expect(m.data.length).toBeGreaterThan(0);
    }
  });
});

describe('work items and dead letters by sequence', () => {
  it('the observer and the gateway read neither; the operator reads dead letters, not work', async () => {
    for (const [subject, body] of [...bySeq('PEOPLESYNC_WORK', workSeq), ...bySeq('PEOPLESYNC_DLQ', dlqSeq)]) {
      await probes.worker.answered(subject, body);
      await probes.observer.refusedRequest(subject, body);
      await probes.gateway.refusedRequest(subject, body);
    }
    for (const [subject, body] of bySeq('PEOPLESYNC_WORK', workSeq)) await probes.operator.refusedRequest(subject, body);
    for (const [subject, body] of bySeq('PEOPLESYNC_DLQ', dlqSeq)) await probes.operator.answered(subject, body);
  });
});

describe('the work queue: only the worker consumes it', () => {
  const others = ['observer', 'operator', 'gateway'] as const;

  it('no other user makes a consumer on it, a new one or one in a live queue’s place', async () => {
    const jsm = await sys.admin.jetstreamManager();
    const live = (await jsm.consumers.info('PEOPLESYNC_WORK', 'scan_bulk')).config;
    const same = { stream_name: 'PEOPLESYNC_WORK', config: live };
    const fresh = { stream_name: 'PEOPLESYNC_WORK', config: { durable_name: 'probe_queue', ack_policy: AckPolicy.Explicit } };
    for (const u of others) {
      await probes[u].refusedRequest(`$JS.API.CONSUMER.CREATE.PEOPLESYNC_WORK.scan_bulk.${live.filter_subject}`, same);
      await probes[u].refusedRequest('$JS.API.CONSUMER.CREATE.PEOPLESYNC_WORK.probe_queue', fresh);
      await probes[u].refusedRequest('$JS.API.CONSUMER.DURABLE.CREATE.PEOPLESYNC_WORK.probe_queue', fresh);
    }
    // The first request, made by the worker, is answered (the same consumer, unchanged): the
    // probe asks what it means to ask.
    const m = await probes.worker.answered(`$JS.API.CONSUMER.CREATE.PEOPLESYNC_WORK.scan_bulk.${live.filter_subject}`, same);
    expect(JSON.parse(new TextDecoder().decode(m.data))).toMatchObject({ name: 'scan_bulk' });
  });

  it('no other user deletes a live work consumer, pulls its items or acks one', async () => {
    for (const u of others) {
      await probes[u].refusedRequest('$JS.API.CONSUMER.DELETE.PEOPLESYNC_WORK.scan_bulk');
      await probes[u].refusedRequest('$JS.API.CONSUMER.MSG.NEXT.PEOPLESYNC_WORK.scan_bulk', { batch: 1, no_wait: true });
      await probes[u].refusedPublish(`$JS.ACK.PEOPLESYNC_WORK.scan_bulk.1.${workSeq}.1.0.0`, '+ACK');
      await probes[u].refusedSubscription('peoplesync.work.>');
    }
    const info = await (await sys.admin.jetstreamManager()).consumers.info('PEOPLESYNC_WORK', 'scan_bulk');
    expect(info.name).toBe('scan_bulk');
    expect((await status()).run?.status).toBe('running');
  });

  it('the gateway publishes a webhook contact and no other work; the observer and operator publish none', async () => {
    await probes.gateway.refusedPublish(`peoplesync.work.${WS}.sfwrite.bulk`);
    await probes.gateway.refusedPublish(`peoplesync.work.${WS}.match.bulk`);
    for (const u of ['observer', 'operator'] as const) await probes[u].refusedPublish(`peoplesync.work.${WS}.match.event`);
  });

  it('the links bucket takes no consumer but the worker’s', async () => {
    const body = { stream_name: 'KV_peoplesync_links', config: { name: 'probe_links', ack_policy: AckPolicy.None } };
    for (const u of others) await probes[u].refusedRequest('$JS.API.CONSUMER.CREATE.KV_peoplesync_links.probe_links', body);
    await probes.worker.answered('$JS.API.CONSUMER.CREATE.KV_peoplesync_links.probe_links', body);
    await probes.worker.answered('$JS.API.CONSUMER.DELETE.KV_peoplesync_links.probe_links');
  });
});

describe('the worker keeps to its own streams', () => {
  it('cannot purge or delete the dead-letter stream, nor purge the work queue', async () => {
    await probes.worker.refusedRequest('$JS.API.STREAM.PURGE.PEOPLESYNC_DLQ', {});
    await probes.worker.refusedRequest('$JS.API.STREAM.PURGE.PEOPLESYNC_WORK', {});
    await probes.worker.refusedRequest('$JS.API.STREAM.DELETE.PEOPLESYNC_DLQ');
    const info = await (await sys.admin.jetstreamManager()).streams.info('PEOPLESYNC_DLQ');
    expect(info.state.messages).toBeGreaterThan(0);
  });

  it('cannot make, change or delete another application’s stream', async () => {
    const cfg = { name: 'ORDERS', subjects: ['orders.>'], storage: 'memory', num_replicas: 1 };
    await probes.worker.refusedRequest('$JS.API.STREAM.CREATE.ORDERS', cfg);
    await probes.admin.answered('$JS.API.STREAM.CREATE.ORDERS', cfg);
    await probes.worker.refusedRequest('$JS.API.STREAM.UPDATE.ORDERS', { ...cfg, subjects: ['orders.>', 'peoplesync.x'] });
    await probes.worker.refusedRequest('$JS.API.STREAM.DELETE.ORDERS');
    await probes.worker.refusedRequest('$JS.API.STREAM.PURGE.ORDERS', {});
    await probes.worker.refusedRequest('$JS.API.CONSUMER.CREATE.ORDERS.probe', { stream_name: 'ORDERS', config: { name: 'probe' } });
    await probes.admin.answered('$JS.API.STREAM.DELETE.ORDERS');
  });
});

describe('inboxes: replies are read by whom they are for', () => {
  it('no user but the worker listens on `_INBOX.>` (where the worker’s KV reads are answered)', async () => {
    for (const u of ['observer', 'operator', 'gateway'] as const) {
      await probes[u].refusedSubscription('_INBOX.>');
      await probes[u].refusedSubscription('$KV.>');
    }
    await probes.observer.refusedSubscription('_INBOX_operator.>');
    await probes.observer.refusedSubscription('_INBOX_gateway.>');
    await probes.operator.refusedSubscription('_INBOX_gateway.>');
  });

  it('the observer sends no control request and writes nothing', async () => {
    await probes.observer.refusedRequest(`peoplesync.ctl.${WS}.bulk.stop`, { reason: 'user', by: 'probe' });
    await probes.observer.refusedRequest(`peoplesync.leader.${WS}.coordinator`, {});
    await probes.observer.refusedPublish(KV('runs', `${WS}.current`));
    await probes.operator.refusedRequest(`peoplesync.leader.${WS}.coordinator`, {});
    await probes.gateway.refusedRequest(`peoplesync.leader.${WS}.coordinator`, {});
    expect((await status()).run?.status).toBe('running');
  });
});
