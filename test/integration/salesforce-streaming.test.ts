// Change events (API-FACTS "Change events") from the sandbox's Streaming API endpoint through the
// connector's jsforce streaming client: one per record written, who wrote it, the fields it
// changed and a replay id; a subscription that comes back after a replay id gets what came since;
// a session the endpoint refuses is renewed; fault injection loses or delays events; no API call
// is charged for any of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SfChangeEvent } from '../../connectors/index.ts';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { waitFor } from '../helpers/host.ts';
import { CLIENT_ID, CLIENT_SECRET, clientFor } from './salesforce-helpers.ts';

let sb: SalesforceSandbox;
beforeAll(async () => {
  sb = await startSalesforceSandbox({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, seed: { seed: 3, people: 50 } });
});
afterAll(() => sb.close());

describe('Salesforce change events', () => {
  it('delivers an event per write with who made it and what changed, charging nothing', async () => {
    const { client } = clientFor(sb);
    const got: SfChangeEvent[] = [];
    const sub = await client.subscribeChanges({ onEvent: (e) => got.push(e) });
    const charged = sb.stats().charged;
    const [contact] = sb.records('Contact', 0, 1);
    const [lead] = sb.records('Lead', 0, 1);
    sb.userUpdate(contact.Id, { Title: 'By a Person' });
    await client.update([{ type: 'Lead', id: lead.Id, fields: { Title: 'By the API' } }]);
    await waitFor(() => got.length >= 2, { what: 'two change events' });
    const me = await client.userId();
    expect(me).toMatch(/^005/);
    expect(got.map((e) => [e.object, e.recordIds, e.changeType, e.changedFields.includes('Title'), e.commitUser === me])).toEqual([
      ['Contact', [contact.Id], 'UPDATE', true, false],
      ['Lead', [lead.Id], 'UPDATE', true, true],
    ]);
    expect(got[1].replayId).toBeGreaterThan(got[0].replayId);
    expect(sb.stats().charged - charged).toBe(1); // the update, not the streaming
    await sub.close();
  });

  it('replays what came after the last replay id seen, and renews a refused session', async () => {
    const { client } = clientFor(sb);
    const first: SfChangeEvent[] = [];
    const sub = await client.subscribeChanges({ onEvent: (e) => first.push(e) });
    const [a, b, c] = sb.records('Contact', 5, 3);
    sb.userUpdate(a.Id, { Title: 'One' });
    await waitFor(() => first.length === 1, { what: 'the first event' });
    await sub.close();
    sb.userUpdate(b.Id, { Title: 'Two' }); // while nobody listens
    const again: SfChangeEvent[] = [];
    const back = await client.subscribeChanges({ replayFrom: first[0].replayId, onEvent: (e) => again.push(e) });
    await waitFor(() => again.length === 1, { what: 'the event missed meanwhile' });
    expect(again[0].recordIds).toEqual([b.Id]);
    sb.expireSessions();
    sb.userUpdate(c.Id, { Title: 'Three' });
    await waitFor(() => again.length === 2, { what: 'an event after the session was renewed', timeoutMs: 30_000 });
    expect(again.map((e) => e.recordIds[0])).toEqual([b.Id, c.Id]);
    await back.close();
  });

  it('loses or delays events when told to', async () => {
    const { client } = clientFor(sb);
    const got: SfChangeEvent[] = [];
    const sub = await client.subscribeChanges({ onEvent: (e) => got.push(e) });
    const [a, b] = sb.records('Lead', 10, 2);
    sb.setFaults({ eventDropNext: 1, eventDelayMs: 300 });
    const lost = sb.changeEvents().lost;
    sb.userUpdate(a.Id, { Title: 'Lost' });
    const at = Date.now();
    sb.userUpdate(b.Id, { Title: 'Late' });
    await waitFor(() => got.length === 1, { what: 'the late event' });
    expect(Date.now() - at).toBeGreaterThanOrEqual(290);
    expect(got[0].recordIds).toEqual([b.Id]);
    expect(sb.changeEvents().lost - lost).toBe(1);
    sb.clearFaults();
    await sub.close();
  });
});
