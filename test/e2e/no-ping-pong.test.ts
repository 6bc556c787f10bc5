// Intercom notifies of changes made through the API too (API-FACTS "Intercom REST API": a topic
// notifies of the change whoever made it). With the gateway subscribed, every write peoplesync
// makes to Intercom comes back to it as a webhook, and every write to Salesforce as a polled
// change. Diff-only writes must stop there: one change, one write, in either direction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAIN_IN_COMMON } from '../../sandbox/index.ts';
import { ScanChanges } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { freePort } from '../helpers/nats-server.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { runToEnd } from './bulk-expected.ts';

let sys: TestSystem;
let tick = 2_000_000;
const settle = () => new Promise((r) => setTimeout(r, 1_500));

beforeAll(async () => {
  sys = await startSystem({
    generator: { seed: 17, people: 40, ...PLAIN_IN_COMMON },
    settings: { pollIntervalSeconds: 86_400 },
  });
  const port = await freePort();
  const w = await sys.startWorker(undefined, { http: { host: '127.0.0.1', port } });
  sys.sandboxes.intercom.configure({ webhook: { url: `http://127.0.0.1:${port}/webhooks/intercom/${WS}`, clientSecret: 'hook-secret' } });
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
  // The identity index comes from a bulk run; the sides agree, so it writes nothing.
  expect((await runToEnd(sys, false, 45_000)).status).toBe('completed');
  await waitFor(async () => (await sys.kv('cursors')).getRaw(`${WS}.sf.Contact`), { what: 'the change cursor' });
}, 90_000);
afterAll(async () => {
  await sys?.stop();
});

const poll = () =>
  sys.workers[0].host.messenger.publish(
    ScanChanges,
    WS,
    { objects: ['Contact'], at: Date.now(), reason: 'tick' },
    { cls: 'event', msgId: `pp:${++tick}` },
  );
const icPuts = () => sys.sandboxes.intercom.stats().calls['PUT /contacts/{id}'] ?? 0;
const sfUpdates = () => sys.sandboxes.salesforce.stats().byKind.update;
const email = (e: unknown) => String(e).trim().toLowerCase();

describe('no ping-pong between the two systems', () => {
  it('a Salesforce change is written to Intercom once; the webhook of that write writes nothing back', async () => {
    const sf = sys.sandboxes.salesforce;
    const ic = sys.sandboxes.intercom;
    const [contact] = sf.records('Contact', 3, 1);
    const twin = ic.contacts().find((c) => email(c.email) === email(contact.Email))!;
    const [puts, updates, delivered] = [icPuts(), sfUpdates(), ic.stats().webhooksDelivered];
    sf.userUpdate(contact.Id, { Title: 'Head of Echoes' });
    await poll();
    await waitFor(() => ic.getContact(twin.id)!.custom_attributes.job_title === 'Head of Echoes', { what: 'the write to Intercom' });
    await waitFor(() => ic.stats().webhooksDelivered > delivered, { what: 'the webhook of our own write' });
    await settle();
    await poll(); // nothing changed in Salesforce since
    await settle();
    expect([icPuts() - puts, sfUpdates() - updates]).toEqual([1, 0]);
  });

  it('an Intercom change is written to Salesforce once; the next poll finds that write and writes nothing back', async () => {
    const sf = sys.sandboxes.salesforce;
    const ic = sys.sandboxes.intercom;
    const [contact] = sf.records('Contact', 7, 1);
    const twin = ic.contacts().find((c) => email(c.email) === email(contact.Email))!;
    const plan = twin.custom_attributes.plan === 'Enterprise' ? 'Starter' : 'Enterprise';
    const [puts, updates] = [icPuts(), sfUpdates()];
    ic.userChange(twin.id, { custom_attributes: { plan } });
    await waitFor(() => sf.get(contact.Id)!.Plan__c === plan, { what: 'the write to Salesforce' });
    await settle();
    await poll(); // reads that write back as a change
    await settle();
    await poll();
    await settle();
    expect([sfUpdates() - updates, icPuts() - puts]).toEqual([1, 0]);
  });
});
