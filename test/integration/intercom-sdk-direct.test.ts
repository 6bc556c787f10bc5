// The official SDK (intercom-client 7) as a plain client against the sandbox, with none of the
// connector's code: listing with its own paging, search, get and update, every answer carrying
// the rate-limit headers (API-FACTS "Intercom REST API": the limit is always on).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntercomClient } from 'intercom-client';
import { DEFAULT_SEARCH_DELAY_MS, startIntercomSandbox, type IntercomSandbox } from '../../sandbox/intercom/index.ts';
import { generatePeople } from '../../sandbox/generator.ts';

const TOKEN = 'sdk-direct-token';
let sb: IntercomSandbox;
let sdk: IntercomClient;

beforeAll(async () => {
  const contacts = [...generatePeople({ seed: 5, people: 400 })].flatMap((p) => p.intercom ?? []);
  sb = await startIntercomSandbox({ token: TOKEN, contacts });
  sdk = new IntercomClient({ baseUrl: sb.url, token: TOKEN, version: '2.14' });
});
afterAll(() => sb.close());

const rateHeaders = (h: { get(name: string): string | null }) =>
  ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'].map((n) => h.get(n));

describe('intercom-client used directly against the sandbox', () => {
  it('lists every contact with the SDK paging through the cursor, rate-limit headers on every page', async () => {
    const page = await sdk.contacts.list({ per_page: 150 });
    expect(rateHeaders(page.rawResponse.headers).every((v) => v !== null && v !== '')).toBe(true);
    expect(page.rawResponse.headers.get('x-ratelimit-limit')).toBe('1666');
    const ids: string[] = [];
    for await (const c of page) ids.push(c.id);
    expect(ids).toEqual(sb.contacts().map((c) => c.id));
  });

  it('searches, gets and updates a contact', async () => {
    const target = sb.contacts().find((c) => c.role === 'lead' && c.email)!;
    const found = await sdk.contacts.search({
      query: { field: 'email', operator: '=', value: target.email! },
      pagination: { per_page: 5 },
    });
    expect(found.data.map((c) => c.id)).toContain(target.id);
    expect(rateHeaders(found.rawResponse.headers).every((v) => v !== null)).toBe(true);

    const got = await sdk.contacts.find({ contact_id: target.id }).withRawResponse();
    expect(got.data).toMatchObject({ id: target.id, workspace_id: sb.workspaceId, role: 'lead' });
    expect(rateHeaders(got.rawResponse.headers).every((v) => v !== null)).toBe(true);

    const updated = await sdk.contacts.update({ contact_id: target.id, custom_attributes: { plan: 'Enterprise' } }).withRawResponse();
    expect(updated.data).toMatchObject({ id: target.id, custom_attributes: { plan: 'Enterprise' } });
    expect(rateHeaders(updated.rawResponse.headers).every((v) => v !== null)).toBe(true);
    expect(sb.getContact(target.id)!.custom_attributes.plan).toBe('Enterprise');
    // The change reaches search once the index has it.
    sb.advanceClock(DEFAULT_SEARCH_DELAY_MS);
    const byPlan = await sdk.contacts.search({
      query: {
        operator: 'AND',
        value: [
          { field: 'id', operator: '=', value: target.id },
          { field: 'custom_attributes.plan', operator: '=', value: 'Enterprise' },
        ],
      },
    });
    expect(byPlan.data.map((c) => c.id)).toEqual([target.id]);
  });

  it('reports one workspace id for seeded and created contacts alike', async () => {
    const [created] = sb.createContacts([{ email: 'new@sdk.io' }]);
    const seeded = sb.contacts()[0];
    const a = await sdk.contacts.find({ contact_id: created.id });
    const b = await sdk.contacts.find({ contact_id: seeded.id });
    expect([a.workspace_id, b.workspace_id]).toEqual([sb.workspaceId, sb.workspaceId]);
  });
});
