// POST /contacts/search through the connector: nested groups and their limits, operator rules,
// calendar-day matching of timestamps, body-only cursors, index lag, and the day-overlapping
// incremental poll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntercomClient, updatedSinceQuery, type IntercomClient } from '../../connectors/intercom/index.ts';
import type { IcContact, IcSearchFilter, IcSearchQuery } from '../../connectors/types.ts';
import { DEFAULT_SEARCH_DELAY_MS, startIntercomSandbox, type IntercomSandbox } from '../../sandbox/intercom/index.ts';

const TOKEN = 'search-test-token';
const utc = (iso: string) => Date.parse(iso) / 1000;

let sb: IntercomSandbox;
let client: IntercomClient;

beforeAll(async () => {
  sb = await startIntercomSandbox({ token: TOKEN });
  client = createIntercomClient({ baseUrl: sb.url, token: TOKEN });
});
afterAll(async () => {
  await client.close();
  await sb.close();
});

async function searchAll(c: IntercomClient, query: IcSearchQuery, perPage = 150): Promise<IcContact[]> {
  const out: IcContact[] = [];
  let cursor: string | undefined;
  do {
    const page = await c.searchContacts(query, cursor, perPage);
    out.push(...page.contacts);
    cursor = page.next;
  } while (cursor);
  return out;
}

const emails = (cs: IcContact[]) => cs.map((c) => c.email).sort();

describe('nested queries', () => {
  beforeAll(() => {
    sb.createContacts([
      { email: 'ann@acme.io', role: 'lead', custom_attributes: { plan: 'Pro', employees: 50 } },
      { email: 'ben@acme.io', role: 'user', custom_attributes: { plan: 'Free', employees: 5 } },
      { email: 'cid@beta.io', role: 'lead', custom_attributes: { plan: 'Free', employees: 500 } },
      { email: 'dee@beta.io', role: 'user', custom_attributes: { plan: 'Enterprise', employees: 5000 } },
      {
        email: 'eve@gamma.io',
        role: 'user',
        custom_attributes: { plan: 'Free' },
        location: { country: 'France', region: null, city: 'Lyon' },
        tag_ids: ['17', '42'],
      },
    ]);
    // New contacts reach the search index a while after they are created.
    sb.advanceClock(DEFAULT_SEARCH_DELAY_MS);
  });

  it('evaluates (A OR B) AND (C OR D)', async () => {
    const query: IcSearchQuery = {
      operator: 'AND',
      value: [
        {
          operator: 'OR',
          value: [
            { field: 'email', operator: '$', value: '@acme.io' },
            { field: 'custom_attributes.plan', operator: '=', value: 'Enterprise' },
          ],
        },
        {
          operator: 'OR',
          value: [
            { field: 'role', operator: '=', value: 'lead' },
            { field: 'custom_attributes.employees', operator: '>=', value: 5000 },
          ],
        },
      ],
    };
    expect(emails(await searchAll(client, query))).toEqual(['ann@acme.io', 'dee@beta.io']);
  });

  it('supports IN, NIN, contains, starts-with and integer comparisons', async () => {
    const q = (f: IcSearchFilter) => searchAll(client, f).then(emails);
    expect(await q({ field: 'custom_attributes.plan', operator: 'IN', value: ['Pro', 'Enterprise'] })).toEqual([
      'ann@acme.io',
      'dee@beta.io',
    ]);
    expect(await q({ field: 'custom_attributes.plan', operator: 'NIN', value: ['Free'] })).toEqual(['ann@acme.io', 'dee@beta.io']);
    expect(await q({ field: 'email', operator: '~', value: 'BETA' })).toEqual(['cid@beta.io', 'dee@beta.io']);
    expect(await q({ field: 'email', operator: '^', value: 'ce' })).toEqual([]);
    expect(await q({ field: 'custom_attributes.employees', operator: '<=', value: 50 })).toEqual(['ann@acme.io', 'ben@acme.io']);
  });

  // API-FACTS "Intercom REST API": the description's Accepted Fields include location.* and
  // tag_id (= and != only).
  it('searches location fields and tags, and refuses operators tag_id does not take', async () => {
    const q = (f: IcSearchFilter) => searchAll(client, f).then(emails);
    expect(await q({ field: 'location.country', operator: '=', value: 'france' })).toEqual(['eve@gamma.io']);
    expect(await q({ field: 'location.city', operator: '^', value: 'Ly' })).toEqual(['eve@gamma.io']);
    expect(await q({ field: 'tag_id', operator: '=', value: '42' })).toEqual(['eve@gamma.io']);
    expect(await q({ field: 'tag_id', operator: '!=', value: '42' })).toEqual(['ann@acme.io', 'ben@acme.io', 'cid@beta.io', 'dee@beta.io']);
    const err = await client.searchContacts({ field: 'tag_id', operator: 'IN', value: ['42'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid' });
    expect((err as Error).message).toContain('operator IN is not supported on tag field tag_id');
  });

  it('accepts 2 levels and 15 filters per group, refuses 3 levels and 16 filters', async () => {
    const leaf = (i: number): IcSearchFilter => ({ field: 'email', operator: '=', value: `nobody${i}@x.io` });
    const fifteen = Array.from({ length: 15 }, (_, i) => leaf(i));
    await expect(client.searchContacts({ operator: 'OR', value: fifteen })).resolves.toMatchObject({ totalCount: 0 });
    const tooMany = await client.searchContacts({ operator: 'OR', value: [...fifteen, leaf(15)] }).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ kind: 'invalid' });
    expect((tooMany as Error).message).toMatch(/16 filters; at most 15/);
    const threeLevels: IcSearchQuery = { operator: 'AND', value: [{ operator: 'OR', value: [{ operator: 'AND', value: [leaf(1)] }] }] };
    const deep = await client.searchContacts(threeLevels).catch((e: unknown) => e);
    expect(deep).toMatchObject({ kind: 'invalid' });
    expect((deep as Error).message).toMatch(/more than 2 levels/);
  });

  it('refuses != >= <= IN NIN on timestamps and unknown fields', async () => {
    for (const operator of ['!=', '>=', '<=', 'IN', 'NIN'] as const) {
      const value = operator === 'IN' || operator === 'NIN' ? [1_700_000_000] : 1_700_000_000;
      const err = await client.searchContacts({ field: 'updated_at', operator, value }).catch((e: unknown) => e);
      expect(err, operator).toMatchObject({ kind: 'invalid' });
      expect((err as Error).message).toContain(`operator ${operator} is not supported on date field updated_at`);
    }
    const unknown = await client.searchContacts({ field: 'custom_attributes.shoe_size', operator: '=', value: 1 }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ name: 'ValidationError', status: 400 });
  });
});

describe('timestamps match by calendar day', () => {
  let own: IntercomSandbox;
  let c: IntercomClient;
  beforeAll(async () => {
    own = await startIntercomSandbox({ token: TOKEN });
    c = createIntercomClient({ baseUrl: own.url, token: TOKEN });
    own.seed(
      [
        ['d0-late', '2024-01-14T23:59:59Z'],
        ['d1-start', '2024-01-15T00:00:00Z'],
        ['d1-morning', '2024-01-15T09:00:00Z'],
        ['d1-end', '2024-01-15T23:59:59Z'],
        ['d2-start', '2024-01-16T00:00:00Z'],
        ['d2-noon', '2024-01-16T12:00:00Z'],
      ].map(([name, iso], i) => ({
        type: 'contact' as const,
        id: `65a000000000000000000${String(i).padStart(3, '0')}`,
        external_id: null,
        role: 'user' as const,
        email: `${name}@days.io`,
        phone: null,
        name: null,
        custom_attributes: {},
        updated_at: utc(iso),
        created_at: utc(iso),
      })),
    );
  });
  afterAll(async () => {
    await c.close();
    await own.close();
  });
  const names = (cs: IcContact[]) => cs.map((x) => x.email!.split('@')[0]).sort();
  const at = utc('2024-01-15T09:00:00Z');

  it('`>` starts at the next day, not at the instant', async () => {
    expect(names(await searchAll(c, { field: 'updated_at', operator: '>', value: at }))).toEqual(['d2-noon', 'd2-start']);
  });

  it('`=` matches the whole day and `<` everything before it', async () => {
    expect(names(await searchAll(c, { field: 'updated_at', operator: '=', value: at }))).toEqual(['d1-end', 'd1-morning', 'd1-start']);
    expect(names(await searchAll(c, { field: 'created_at', operator: '<', value: at }))).toEqual(['d0-late']);
  });

  it('uses the configured time zone for the day boundary', async () => {
    const ny = await startIntercomSandbox({ token: TOKEN, timeZone: 'America/New_York' });
    const nc = createIntercomClient({ baseUrl: ny.url, token: TOKEN });
    try {
      ny.seed(own.contacts());
      // 09:00 UTC is 04:00 in New York on the 15th: that day runs from 05:00 UTC on the 15th
      // to 05:00 UTC on the 16th, so midnight UTC of the 15th belongs to the 14th there.
      expect(names(await searchAll(nc, { field: 'updated_at', operator: '>', value: at }))).toEqual(['d2-noon']);
      expect(names(await searchAll(nc, { field: 'updated_at', operator: '=', value: at }))).toEqual(['d1-end', 'd1-morning', 'd2-start']);
    } finally {
      await nc.close();
      await ny.close();
    }
  });

  it('searchUpdatedSince overlaps a day on the wire and yields only what changed since, once', async () => {
    const since = utc('2024-01-15T09:00:00Z');
    // On the wire the query reaches back to the start of the day: d1-start comes back too.
    const wire = await searchAll(c, updatedSinceQuery(since));
    expect(names(wire)).toEqual(['d1-end', 'd1-morning', 'd1-start', 'd2-noon', 'd2-start']);
    const got: IcContact[] = [];
    for await (const batch of c.searchUpdatedSince(since, 2)) got.push(...batch);
    expect(names(got)).toEqual(['d1-end', 'd1-morning', 'd2-noon', 'd2-start']);
  });
});

describe('search paging and index lag', () => {
  it('pages through more than 150 matches with the cursor in the body', async () => {
    const own = await startIntercomSandbox({ token: TOKEN });
    const c = createIntercomClient({ baseUrl: own.url, token: TOKEN });
    try {
      own.createContacts(Array.from({ length: 170 }, (_, i) => ({ email: `m${i}@page.io`, role: i < 160 ? 'lead' : 'user' })));
      own.advanceClock(DEFAULT_SEARCH_DELAY_MS);
      const first = await c.searchContacts({ field: 'role', operator: '=', value: 'lead' });
      expect(first).toMatchObject({ totalCount: 160 });
      expect(first.contacts).toHaveLength(150);
      const second = await c.searchContacts({ field: 'role', operator: '=', value: 'lead' }, first.next);
      expect(second.contacts).toHaveLength(10);
      expect(second.next).toBeUndefined();
      expect(new Set([...first.contacts, ...second.contacts].map((x) => x.id)).size).toBe(160);

      // A cursor in the query string is ignored: the answer is page 1 again.
      const res = await fetch(`${own.url}/contacts/search?starting_after=${encodeURIComponent(first.next!)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'intercom-version': '2.14' },
        body: JSON.stringify({ query: { field: 'role', operator: '=', value: 'lead' }, pagination: { per_page: 150 } }),
      });
      const body = (await res.json()) as { data: Array<{ id: string }>; pages: { page: number } };
      expect(body.pages.page).toBe(1);
      expect(body.data[0].id).toBe(first.contacts[0].id);
    } finally {
      await c.close();
      await own.close();
    }
  });

  it('hides new contacts and shows the previous version of changed ones until the index catches up', async () => {
    // API-FACTS "Intercom REST API": newly created contacts may be missing from search for a few
    // minutes; the sandbox lags by DEFAULT_SEARCH_DELAY_MS unless told otherwise.
    const own = await startIntercomSandbox({ token: TOKEN });
    const c = createIntercomClient({ baseUrl: own.url, token: TOKEN });
    try {
      const [fresh] = own.createContacts([{ email: 'lag@index.io', custom_attributes: { plan: 'Free' } }]);
      const byEmail: IcSearchFilter = { field: 'email', operator: '=', value: 'lag@index.io' };
      expect((await c.searchContacts(byEmail)).totalCount).toBe(0);
      expect((await c.getContact(fresh.id)).email).toBe('lag@index.io');
      own.advanceClock(DEFAULT_SEARCH_DELAY_MS / 2);
      expect((await c.searchContacts(byEmail)).totalCount).toBe(0);
      own.advanceClock(DEFAULT_SEARCH_DELAY_MS / 2);
      expect((await c.searchContacts(byEmail)).totalCount).toBe(1);

      await c.updateContact(fresh.id, { custom_attributes: { plan: 'Pro' } });
      const byPlan: IcSearchFilter = { field: 'custom_attributes.plan', operator: '=', value: 'Pro' };
      const stale = await c.searchContacts(byEmail);
      expect(stale.contacts[0].custom_attributes.plan).toBe('Free');
      expect((await c.searchContacts(byPlan)).totalCount).toBe(0);
      own.advanceClock(DEFAULT_SEARCH_DELAY_MS);
      expect((await c.searchContacts(byPlan)).totalCount).toBe(1);
    } finally {
      await c.close();
      await own.close();
    }
  });
});

// API-FACTS "Intercom REST API": a search may be sorted (`sort: {field, order}`); dates sort by their
// full value, while filters match them by day.
describe('sorted search', () => {
  it('answers newest first across pages, and refuses an order that is not ascending or descending', async () => {
    const post = (body: unknown) =>
      fetch(`${sb.url}/contacts/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'intercom-version': '2.14' },
        body: JSON.stringify(body),
      });
    const query = { field: 'role', operator: '=', value: 'user' };
    const seen: number[] = [];
    let after: string | undefined;
    do {
      const res = await post({
        query,
        sort: { field: 'updated_at', order: 'descending' },
        pagination: { per_page: 1, starting_after: after },
      });
      const page = (await res.json()) as { data: IcContact[]; pages: { next?: { starting_after: string } } };
      seen.push(...page.data.map((c) => c.updated_at));
      after = page.pages.next?.starting_after;
    } while (after);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    const refused = await post({ query, sort: { field: 'updated_at', order: 'newest' } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toMatch(/ascending or descending/);
  });
});
