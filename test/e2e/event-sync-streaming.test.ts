// Near real time through Salesforce's change events (API-FACTS "Change events"): every actor
// against nats-server and both sandboxes, the poll clock at 5 minutes. A change reaches Intercom
// through its event with one call, no poll tick; events of peoplesync's own writes and of fields
// the sync does not read ask for no call; a change whose event is lost is read by the next poll,
// the safety net. The workers' clock moves forward instead of waiting out the interval.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Headers, PollIntercom, ScanChanges } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT, runToEnd } from './bulk-expected.ts';

let sys: TestSystem;
let shift = 0;
/** Change polls asked for, by the clock or by change events. */
let asked = 0;
const polls = () => asked;
const charged = () => sys.sandboxes.salesforce.stats().charged;
const settle = (ms = 1_500) => new Promise((r) => setTimeout(r, ms));
const email = (e: unknown) => String(e).trim().toLowerCase();
const twinOf = (sfEmail: unknown) => sys.sandboxes.intercom.contacts().find((c) => email(c.email) === email(sfEmail))!;
const contacts = () =>
  sys.sandboxes.salesforce
    .records('Contact', 0, 200)
    .filter((c) => sys.sandboxes.intercom.contacts().some((x) => email(x.email) === email(c.Email)));

beforeAll(async () => {
  sys = await startSystem({
    generator: { seed: 31, people: 120, leadShare: 0, inCommonShare: 1, icOnlyShare: 0, differingShare: 0, duplicateShare: 0, oddShare: 0 },
    intercom: { searchDelayMs: 0 },
    settings: { pollIntervalSeconds: 300 },
    config: FREE_PORT,
  });
  sys.nc.subscribe(`peoplesync.work.${WS}.scan.event`, {
    callback: (_e, m) => {
      if (m.headers?.get(Headers.type) === ScanChanges.type) asked += 1;
    },
  });
  const w = await sys.startWorker(undefined, {}, { now: () => Date.now() + shift });
  await waitFor(() => w.host.isLeading('coordinator', WS) && w.host.isLeading('change-events', WS), {
    what: 'coordinator and change events leading',
    timeoutMs: 10_000,
  });
  const cursors = await sys.kv('cursors');
  await waitFor(async () => (await cursors.getRaw(`${WS}.sf.Contact`)) && (await cursors.getRaw(`${WS}.ic`)), { what: 'the first poll' });
  expect((await runToEnd(sys, false, 45_000)).status).toBe('completed'); // the identity index
  await settle();
}, 90_000);
afterAll(async () => {
  await sys?.stop();
});

describe('event sync through change events', () => {
  it('brings a Salesforce change to Intercom with one call and no poll tick', async () => {
    const [c] = contacts();
    const calls = polls();
    const spent = charged();
    sys.sandboxes.salesforce.userUpdate(c.Id, { Title: 'Streamed Title' });
    await waitFor(() => twinOf(c.Email).custom_attributes.job_title === 'Streamed Title', {
      what: 'the change in Intercom',
      timeoutMs: 10_000,
    });
    await settle();
    expect(polls() - calls).toBe(1);
    expect(charged() - spent).toBe(1);
  });

  it('asks for no call for its own writes or for a field the sync does not read', async () => {
    const [, c] = contacts();
    const twin = twinOf(c.Email);
    const calls = polls();
    // An Intercom change written to Salesforce: that write's change event is peoplesync's own.
    const plan = twin.custom_attributes.plan === 'Enterprise' ? 'Starter' : 'Enterprise';
    sys.sandboxes.intercom.userChange(twin.id, { custom_attributes: { plan } });
    await sys.workers[0].host.messenger.publish(PollIntercom, WS, { tick: 1 }, { cls: 'event', msgId: 'streaming:ic:1' });
    await waitFor(() => sys.sandboxes.salesforce.get(c.Id)!.Plan__c === plan, { what: 'the write to Salesforce' });
    sys.sandboxes.salesforce.userUpdate(c.Id, { Description: 'not mapped' });
    await settle(2_000);
    expect(polls() - calls).toBe(0);
  });

  it('reads a change whose event was lost at the next poll', async () => {
    const [, , c] = contacts();
    sys.sandboxes.salesforce.setFaults({ eventDropNext: 1 });
    sys.sandboxes.salesforce.userUpdate(c.Id, { Title: 'Lost Event' });
    await settle(2_000);
    expect(twinOf(c.Email).custom_attributes.job_title).not.toBe('Lost Event');
    shift += 301_000; // the poll interval is over
    await waitFor(() => twinOf(c.Email).custom_attributes.job_title === 'Lost Event', {
      what: 'the change read by the poll',
      timeoutMs: 15_000,
    });
  });
});
