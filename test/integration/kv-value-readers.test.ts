// Readers of KV values parse them with their protocol schemas: against the real nats-server, a
// value of another shape is read as a missing one (a link not there, a run taken as ended) and
// is replaced when written, never taken for what it is not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { Keys, RunSchema } from '../../protocol/index.ts';
import { RunGate, type TypedKv } from '../../runtime/index.ts';
import { LinkStore } from '../../actors/matching/link-store.ts';
import { IndexStore } from '../../actors/matching/index-store.ts';
import { errorKey } from '../../actors/errors/index.ts';
import { ErrorStore } from '../../actors/errors/store.ts';
import { linkKeys, indexKeys } from '../../actors/matching/keys.ts';
import { FIXTURES } from '../helpers/fixtures.ts';
import { provisioned } from '../helpers/host.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';

const WS = 'ws1';
let server: NatsServerHandle;
let nc: NatsConnection;
let links: TypedKv;
let index: TypedKv;
let runs: TypedKv;
let errors: TypedKv;

beforeAll(async () => {
  server = await startNatsServer();
  const p = await provisioned(server);
  nc = p.nc;
  links = await p.bucket(p.buckets.links.name);
  index = await p.bucket(p.buckets.index.name);
  runs = await p.bucket(p.buckets.runs.name);
  errors = await p.bucket(p.buckets.errors.name);
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe('KV values of another shape', () => {
  it('links: a record link naming an unknown object is no link; garbled contact links are none and get replaced', async () => {
    const store = new LinkStore(links, WS);
    await links.put(linkKeys.sf(WS, '00Q000000000001AAA'), { icId: 'c1', object: 'Account' });
    await links.put(linkKeys.sf(WS, '00Q000000000002AAA'), { icId: 'c2', object: 'Lead' });
    const found = await store.sfLinks(['00Q000000000001AAA', '00Q000000000002AAA']);
    expect([...found]).toEqual([['00Q000000000002AAA', { icId: 'c2', object: 'Lead' }]]);

    await links.put(linkKeys.ic(WS, 'c3'), { Lead: 42 });
    const read = await store.icLinks(['c3']);
    expect(read.get('c3')?.links).toEqual({});
    await store.link('Contact', '003000000000003AAA', 'c3', read.get('c3'));
    expect((await links.getRaw(linkKeys.ic(WS, 'c3')))?.value).toEqual({ Contact: '003000000000003AAA' });
  });

  it('index: an entry or lookup not of its schema is not found', async () => {
    const store = new IndexStore(index, WS);
    const contact = { id: 'c9', role: 'user', email: 'a@example.com', updated_at: 1, custom_attributes: {} };
    await index.put(indexKeys.contact(WS, 'c8'), { id: 'c8', role: 'admin', updatedAt: 1, contact: { ...contact, id: 'c8' } });
    await index.put(indexKeys.contact(WS, 'c9'), { id: 'c9', role: 'user', updatedAt: 1, contact });
    await index.put(indexKeys.contact(WS, 'c10'), { id: 'c10', role: 'user', updatedAt: 1, contact: {} });
    expect([...(await store.entries(['c8', 'c9', 'c10'])).keys()]).toEqual(['c9']);
    await index.put(indexKeys.lookup(WS, 'e', 'a@example.com'), { v: 'a@example.com', ids: 'c9' });
    await index.put(indexKeys.lookup(WS, 'e', 'b@example.com'), { v: 'b@example.com', ids: ['c7'] });
    expect(await store.lookups('e', ['a@example.com', 'b@example.com'])).toEqual(new Map([['b@example.com', ['c7']]]));
  });

  it('runs: a run record not of its schema is taken as no run', async () => {
    const gate = new RunGate(runs);
    await runs.put(Keys.run(WS, 'run-bad'), { status: 'running' });
    expect(await gate.state(WS, 'run-bad')).toBe('unknown');
    expect(await gate.activeNow(WS, 'run-bad')).toBe(false);
    // Read as a value that must be a run, it is refused naming the key and the fields wrong.
    await expect(runs.get(Keys.run(WS, 'run-bad'), RunSchema)).rejects.toThrow(
      /stored peoplesync_runs value ws1\.runs\.run-bad is not valid: runId: .*ws: /,
    );
    // A run a later version wrote with a field more is still running: its work is done.
    await runs.put(Keys.run(WS, 'r1'), { ...(FIXTURES['bulk.progress.v1'] as object), resumedFrom: 'r0' });
    expect(await gate.state(WS, 'r1')).toBe('active');
  });
  it('errors: a sync error a later version stored with a field more is read, in a look-up and a listing', async () => {
    const later = { ...(FIXTURES['sync-error.recorded.v1'] as { id: string }), ws: WS, seen: [], reviewedBy: 'ann' };
    await errors.put(errorKey(WS, later.id), later);
    const store = new ErrorStore(errors);
    expect(await store.get(WS, later.id)).toMatchObject({ id: later.id });
    expect((await store.all(WS)).map((e) => e.id)).toEqual([later.id]);
  });
});
