// What peoplesync believes Intercom holds is what Intercom holds: every actor against nats-server
// and both sandboxes, Intercom's search lagging a minute (its default) and no webhooks, so nothing
// but peoplesync's own writes can tell it what changed in Intercom.
// - A bulk run writes both ways; a change poll of both systems after it, a second bulk run and
//   another poll write nothing on either side.
// - A Salesforce change synced to Intercom, then put back: the value put back reaches Intercom.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BodyOf, Headers, PollIntercom, RecordSynced, ScanChanges, decodeMessage, subject } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT, runToEnd } from './bulk-expected.ts';

let sys: TestSystem;
const synced: BodyOf<typeof RecordSynced>[] = [];
let n = 0;
const icPuts = () => sys.sandboxes.intercom.stats().calls['PUT /contacts/{id}'] ?? 0;
const sfUpdates = () => sys.sandboxes.salesforce.stats().byKind.update;
const nextSecond = () => new Promise((r) => setTimeout(r, 1_020 - (Date.now() % 1_000)));
const settle = (ms = 3_000) => new Promise((r) => setTimeout(r, ms));
const email = (e: unknown) => String(e).trim().toLowerCase();

/** A change poll, as the poll clock asks for one: Salesforce's, and Intercom's unless told not to. */
async function poll(systems: ('salesforce' | 'intercom')[] = ['salesforce', 'intercom']): Promise<void> {
  const m = sys.workers[0].host.messenger;
  n += 1;
  await nextSecond(); // the seconds of the writes so far are over
  if (systems.includes('salesforce'))
    await m.publish(ScanChanges, WS, { objects: ['Contact', 'Lead'], at: Date.now(), reason: 'tick' }, { cls: 'event', msgId: `p:${n}` });
  if (systems.includes('intercom')) await m.publish(PollIntercom, WS, { tick: n }, { cls: 'event', msgId: `i:${n}` });
}

beforeAll(async () => {
  sys = await startSystem({
    generator: { seed: 23, people: 300, differingShare: 0.6, duplicateShare: 0, oddShare: 0 },
    settings: { pollIntervalSeconds: 86_400 },
    config: FREE_PORT,
  });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
  sys.nc.subscribe(subject('peoplesync', { kind: 'evt', ws: WS, topic: RecordSynced.topic }), {
    callback: (_e, m) => {
      synced.push(
        decodeMessage(m.headers?.get(Headers.type), m.data, m.headers?.get(Headers.contentType)).body as BodyOf<typeof RecordSynced>,
      );
    },
  });
  const cursors = await sys.kv('cursors');
  await waitFor(async () => (await cursors.getRaw(`${WS}.sf.Contact`)) && (await cursors.getRaw(`${WS}.ic`)), {
    what: 'the change cursors of the first poll',
  });
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

describe('event sync diffs against what Intercom holds now', () => {
  it('repeats a bulk run and a poll with no redundant write on either side', async () => {
    const first = await runToEnd(sys, false, 60_000);
    expect(first.status).toBe('completed');
    expect(first.counts.updatedIntercom).toBeGreaterThan(20);
    expect(first.counts.updatedSalesforce).toBeGreaterThan(20);
    await settle(1_000);
    const [puts, updates, records] = [icPuts(), sfUpdates(), synced.length];

    // The Salesforce poll reads back every record the run wrote to Salesforce, while Intercom's
    // search does not show the run's writes yet; then, its lag over, the Intercom poll reads them.
    await poll(['salesforce']);
    await settle();
    sys.sandboxes.intercom.advanceClock(61_000);
    await poll(['intercom']);
    await settle();
    const second = await runToEnd(sys, false, 60_000);
    expect(second.status).toBe('completed');
    expect([second.counts.updatedIntercom, second.counts.updatedSalesforce]).toEqual([0, 0]);
    await poll();
    await settle();
    expect(synced.slice(records).map((s) => `${s.syncType} ${s.direction} ${s.sfId}`)).toEqual([]);
    expect([icPuts() - puts, sfUpdates() - updates]).toEqual([0, 0]);
  });

  it('writes a Salesforce value put back, after its first change was synced to Intercom', async () => {
    const sf = sys.sandboxes.salesforce;
    const ic = sys.sandboxes.intercom;
    const contacts = sf
      .records('Contact', 0, 300)
      .filter((c) => ic.contacts().some((x) => email(x.email) === email(c.Email)))
      .slice(0, 10);
    expect(contacts).toHaveLength(10);
    const twin = (c: (typeof contacts)[number]) => ic.contacts().find((x) => email(x.email) === email(c.Email))!;
    const before = new Map(contacts.map((c) => [c.Id, twin(c).custom_attributes.job_title]));
    sf.userUpdateMany(contacts.map((c) => ({ id: c.Id, fields: { Title: 'Interim Title' } })));
    await poll();
    await waitFor(() => contacts.every((c) => twin(c).custom_attributes.job_title === 'Interim Title'), { what: 'the first change' });
    sf.userUpdateMany(contacts.map((c) => ({ id: c.Id, fields: { Title: before.get(c.Id) ?? null } })));
    await poll();
    await waitFor(() => contacts.every((c) => twin(c).custom_attributes.job_title === before.get(c.Id)), {
      what: 'the value put back in Intercom',
      timeoutMs: 15_000,
    });
  });
});
