// Event sync through a SystemModstamp tie across a page boundary: SystemModstamp has whole
// seconds (API-FACTS "Query"), so one mass update gives 2,500 Contacts one value, more than one
// query page holds. Every actor runs against nats-server and both sandboxes; the change poll must
// read the 2,000 of the first page, go on after (stamp, last Id) with the other 500, and sync each
// record exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAIN_IN_COMMON } from '../../sandbox/index.ts';
import { type BodyOf, Headers, RecordSynced, eventFilter, ScanChanges, decodeMessage, subject } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT, runToEnd } from './bulk-expected.ts';

const PEOPLE = 2_500;
let sys: TestSystem;
const synced: BodyOf<typeof RecordSynced>[] = [];

beforeAll(async () => {
  sys = await startSystem({
    generator: { seed: 13, people: PEOPLE, ...PLAIN_IN_COMMON },
    settings: { pollIntervalSeconds: 86_400 },
    config: FREE_PORT,
    changeEvents: false, // the poll alone, so its calls can be counted
  });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
  sys.nc.subscribe(subject('peoplesync', { kind: 'evt', ws: WS, topic: eventFilter(RecordSynced) }), {
    callback: (_err, m) => {
      synced.push(
        decodeMessage(m.headers?.get(Headers.type), m.data, m.headers?.get(Headers.contentType)).body as BodyOf<typeof RecordSynced>,
      );
    },
  });
  // A bulk run first: it builds the identity index event sync matches against.
  expect((await runToEnd(sys, false, 60_000)).status).toBe('completed');
}, 90_000);
afterAll(async () => {
  await sys?.stop();
});

describe('event sync through a SystemModstamp tie', () => {
  it('syncs 2,500 Contacts sharing one SystemModstamp across a page boundary, each exactly once', async () => {
    const sf = sys.sandboxes.salesforce;
    const ic = sys.sandboxes.intercom;
    const cursors = await sys.kv('cursors');
    // The poll clock's first tick starts the cursor at now: the org as it stands is not a change.
    await waitFor(() => cursors.getRaw(`${WS}.sf.Contact`), { what: 'the Contact change cursor' });
    const contacts = sf.records('Contact');
    expect(contacts).toHaveLength(PEOPLE);
    const stamp = sf.userUpdateMany(contacts.map((c) => ({ id: c.Id, fields: { Title: 'Chief Tie Officer' } })));
    expect(new Set(contacts.map((c) => sf.get(c.Id)!.SystemModstamp))).toEqual(new Set([stamp]));

    // Once that second is over, so the poll may move its cursor past every record of it.
    await new Promise((r) => setTimeout(r, 1_100));
    const calls = sf.stats().byKind.composite;
    const m = sys.workers[0].host.messenger;
    await m.publish(ScanChanges, WS, { objects: ['Contact'], at: Date.now(), reason: 'tick' }, { cls: 'event', msgId: 'ties:1' });
    await waitFor(() => ic.contacts().every((c) => c.custom_attributes.job_title === 'Chief Tie Officer'), {
      what: 'every tied change in Intercom',
      timeoutMs: 90_000,
    });
    await waitFor(() => synced.filter((s) => s.syncType === 'event').length >= PEOPLE, { what: 'an audit event per record' });
    await new Promise((r) => setTimeout(r, 1_000));
    const events = synced.filter((s) => s.syncType === 'event');
    expect(events).toHaveLength(PEOPLE);
    expect(new Set(events.map((e) => e.sfId)).size).toBe(PEOPLE);
    // Two calls: the first 2,000 of the tie, then the 500 after (stamp, last Id).
    expect(sf.stats().byKind.composite - calls).toBe(2);
    expect((await cursors.getRaw(`${WS}.sf.Contact`))?.value).toMatchObject({ modstamp: stamp, id: contacts[PEOPLE - 1].Id });
  });
});
