// Every inspection command the README shows, run with the real NATS CLI as the users of nats.conf
// on a system in the middle of a bulk sync: what they print, and what the observer is refused.
import { encode } from '@msgpack/msgpack';
import { headers as natsHeaders } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkStart, BulkStatus, BulkStop, type Run } from '../../protocol/index.ts';
import type { Worker } from '../../cli/worker.ts';
import { waitFor } from '../helpers/host.ts';
import { type CliUser, jsonBlocks, nats, natsOnTerminal, natsPiped } from '../helpers/nats-cli.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT } from './bulk-expected.ts';

let sys: TestSystem;
let worker: Worker;
let run: Run;
let url: string;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 2_000 }, settings: { pollIntervalSeconds: 86_400 }, config: FREE_PORT });
  url = sys.nats.url;
  worker = await sys.startWorker();
  await waitFor(() => worker.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
  // Slow Salesforce keeps the run going while the commands look at it.
  sys.sandboxes.salesforce.setFaults({ latencyMs: 3_000 });
  run = (await worker.host.messenger.request(BulkStart, WS, { startedBy: 'cli-test' })).run;
});
afterAll(async () => {
  await worker?.host.messenger.request(BulkStop, WS, { reason: 'user', by: 'cli-test' }).catch(() => undefined);
  await sys?.stop();
});

const DECODE = './dist/cli/bin.js decode';
/** Refused a publish or subscription on `what`, or on a subject `what` starts (consumer names are random). */
const refused = (r: { out: string; err: string }, what: string) =>
  expect(`${r.out}${r.err}`).toMatch(
    new RegExp(`Permissions Violation for (Publish to|Subscription to) "${what.replace(/[$.*>]/g, '\\$&')}(\\.[^"]*)?"`),
  );

/** The read-only commands, each with what its output must show. */
const readOnly: [string, (user: CliUser) => Promise<void>][] = [
  [
    'nats sub with --translate prints decoded events with their ps-type headers',
    async (user) => {
      const r = await nats(url, user, ['sub', 'peoplesync.evt.>', '--translate', DECODE, '--count', '3']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Received on "peoplesync\.evt\.ws1\./);
      expect(r.out).toMatch(/ps-type: [a-z-]+\.[a-z.-]+\.v1/);
      expect(r.out).toContain('content-type: application/msgpack');
      const bodies = jsonBlocks(r.out);
      expect(bodies).toHaveLength(3);
      for (const b of bodies) expect(b).toMatchObject({ ws: WS });
    },
  ],
  [
    'nats stream view shows the events stream, decoded',
    async (user) => {
      // The run's progress: quota reports usage as soon as its leader starts, so it may come first.
      const view = ['stream', 'view', 'PEOPLESYNC_EVENTS', '2', '--subject', `peoplesync.evt.${WS}.bulk.progress`, '--translate', DECODE];
      const r = await natsOnTerminal(url, user, view, /Next Page\?/);
      expect(r.out).toMatch(/\[\d+\] Subject: peoplesync\.evt\.ws1\.bulk\.progress/);
      expect(r.out).toContain('ps-type: bulk.progress.v1');
      expect(r.out).not.toMatch(/Permissions Violation/);
      expect(jsonBlocks(r.out)).toContainEqual(expect.objectContaining({ runId: run.runId, status: 'running', startedBy: 'cli-test' }));
    },
  ],
  [
    'nats stream ls and consumer ls show the work queues',
    async (user) => {
      const streams = await nats(url, user, ['stream', 'ls']);
      expect(streams.code).toBe(0);
      for (const s of ['PEOPLESYNC_WORK', 'PEOPLESYNC_EVENTS', 'PEOPLESYNC_DLQ']) expect(streams.out).toContain(s);
      const consumers = await nats(url, user, ['consumer', 'ls', 'PEOPLESYNC_WORK']);
      expect(consumers.code).toBe(0);
      for (const c of ['index_bulk', 'scan_bulk', 'match_bulk', 'map_bulk', 'sfwrite_bulk', 'icwrite_bulk', 'coord_bulk_ws1'])
        expect(consumers.out).toContain(c);
    },
  ],
  [
    'nats micro ls and micro info show the control service and its endpoints',
    async (user) => {
      const ls = await nats(url, user, ['micro', 'ls']);
      expect(ls.code).toBe(0);
      expect(ls.out).toMatch(/peoplesync\s+│\s+0\.1\.0/);
      const info = await nats(url, user, ['micro', 'info', 'peoplesync']);
      expect(info.code).toBe(0);
      for (const e of ['bulk-status', 'bulk-start', 'errors-list', 'quota-usage']) expect(info.out).toContain(`Name: ${e}`);
      expect(info.out).toContain('Subject: peoplesync.ctl.*.bulk.status');
    },
  ],
  [
    'nats kv ls lists the buckets, and kv get reads a run record',
    async (user) => {
      const ls = await nats(url, user, ['kv', 'ls']);
      expect(ls.code).toBe(0);
      for (const b of ['peoplesync_runs', 'peoplesync_index', 'peoplesync_links', 'peoplesync_leases']) expect(ls.out).toContain(b);
      const current = await natsPiped(url, user, ['kv', 'get', 'peoplesync_runs', `${WS}.current`, '--raw'], DECODE);
      expect(current.code).toBe(0);
      expect(JSON.parse(current.out)).toEqual({ runId: run.runId });
    },
  ],
];

describe('the NATS CLI on a running bulk sync', () => {
  for (const [name, check] of readOnly) {
    it(`operator: ${name}`, () => check('operator'));
    it(`observer: ${name}`, () => check('observer'));
  }

  it('operator: nats req to a control subject answers JSON', async () => {
    const r = await nats(url, 'operator', ['req', `peoplesync.ctl.${WS}.bulk.status`, '{}']);
    expect(r.code).toBe(0);
    expect(r.out + r.err).toContain('content-type: application/json');
    const reply = JSON.parse(r.out.trim().split('\n').pop() as string) as { run: Run };
    expect(reply.run).toMatchObject({ runId: run.runId, status: 'running' });
  });

  it('operator: nats stream get reads a dead letter, decoded', async () => {
    const h = natsHeaders();
    h.set('ps-type', 'notify.run-finished.v1');
    h.set('content-type', 'application/msgpack');
    await sys.nc.jetstream().publish(`peoplesync.work.${WS}.notify.event`, encode({ probe: 'a body no schema takes' }), { headers: h });
    const jsm = await sys.admin.jetstreamManager();
    const seq = await waitFor(async () => (await jsm.streams.info('PEOPLESYNC_DLQ')).state.last_seq || null, { what: 'a dead letter' });
    const r = await nats(url, 'operator', ['stream', 'get', 'PEOPLESYNC_DLQ', String(seq), '--translate', DECODE]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ps-dlq-reason: invalid_body');
    expect(jsonBlocks(r.out)).toEqual([{ probe: 'a body no schema takes' }]);
  });

  it('observer: is refused control requests, work items, dead letters and writes', async () => {
    const probes: [string[], string][] = [
      [['req', `peoplesync.ctl.${WS}.bulk.status`, '{}'], `peoplesync.ctl.${WS}.bulk.status`],
      [['pub', `peoplesync.work.${WS}.match.bulk`, 'x'], `peoplesync.work.${WS}.match.bulk`],
      [['sub', 'peoplesync.work.>', '--count', '1'], 'peoplesync.work.>'],
      [['sub', 'peoplesync.dlq.>', '--count', '1'], 'peoplesync.dlq.>'],
      [['kv', 'put', 'peoplesync_runs', `${WS}.current`, 'x'], `$KV.peoplesync_runs.${WS}.current`],
      [['stream', 'rm', 'PEOPLESYNC_DLQ', '-f'], '$JS.API.STREAM.DELETE.PEOPLESYNC_DLQ'],
      [['stream', 'get', 'PEOPLESYNC_DLQ', '1'], '$JS.API.STREAM.MSG.GET.PEOPLESYNC_DLQ'],
      [['sub', '_INBOX.>', '--count', '1'], '_INBOX.>'],
    ];
    const results = await Promise.all(probes.map(([args]) => nats(url, 'observer', args)));
    results.forEach((r, i) => refused(r, probes[i][1]));
    // The run went on untouched.
    const r = (await worker.host.messenger.request(BulkStatus, WS, {})).run;
    expect(r).toMatchObject({ runId: run.runId, status: 'running' });
  });

  it('operator and observer: are refused KV values but run records, and the work queue', async () => {
    // Each refused command waits out the CLI's timeout: run them side by side.
    const probes = (['operator', 'observer'] as const).flatMap((user): [string[], string][] =>
      [
        [['kv', 'get', 'peoplesync_settings', WS], `$JS.API.DIRECT.GET.KV_peoplesync_settings.$KV.peoplesync_settings.${WS}`],
        [['kv', 'watch', 'peoplesync_links'], '$JS.API.CONSUMER.CREATE.KV_peoplesync_links'],
        [
          ['consumer', 'add', 'PEOPLESYNC_WORK', 'probe', '--pull', '--filter', `peoplesync.work.${WS}.notify.interactive`, '--defaults'],
          '$JS.API.CONSUMER.CREATE.PEOPLESYNC_WORK',
        ],
        [['consumer', 'rm', 'PEOPLESYNC_WORK', 'match_bulk', '-f'], '$JS.API.CONSUMER.DELETE.PEOPLESYNC_WORK.match_bulk'],
        [['consumer', 'next', 'PEOPLESYNC_WORK', 'match_bulk', '--ack'], '$JS.API.CONSUMER.MSG.NEXT.PEOPLESYNC_WORK.match_bulk'],
      ].map(([args, what]) => [[user, ...(args as string[])], what as string]),
    );
    const results = await Promise.all(probes.map(([[user, ...args]]) => nats(url, user as CliUser, args)));
    results.forEach((r, i) => refused(r, probes[i][1]));
    const consumers = await nats(url, 'operator', ['consumer', 'ls', 'PEOPLESYNC_WORK']);
    expect(consumers.out).toContain('match_bulk');
  });
});
