// The sandbox's admin face over HTTP (/__admin/) and its seeding: state reads, user changes,
// NDJSON load/dump, faults, stats, and seeding from the shared data generator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntercomClient } from '../../connectors/intercom/index.ts';
import type { IcContact } from '../../connectors/types.ts';
import { generatePeople } from '../../sandbox/generator.ts';
import { startIntercomSandbox, type IntercomSandbox } from '../../sandbox/intercom/index.ts';

const TOKEN = 'admin-test-token';
let sb: IntercomSandbox;

beforeAll(async () => {
  sb = await startIntercomSandbox({ token: TOKEN, rateLimit: { limit: 1000, windowMs: 10_000 } });
});
afterAll(async () => {
  await sb.close();
});

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${sb.url}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

describe('admin endpoints', () => {
  it('creates contacts, reads them back with counts, and changes one as a user would', async () => {
    const created = await admin('POST', '/contacts', [{ email: 'a@admin.io', role: 'lead' }, { email: 'b@admin.io' }]);
    expect(created.status).toBe(201);
    const [a] = (created.json as { created: IcContact[] }).created;
    expect(a.id).toMatch(/^[0-9a-f]{24}$/);
    const all = await admin('GET', '/contacts');
    expect((all.json as { counts: unknown }).counts).toEqual({ total: 2, user: 1, lead: 1 });
    const changed = await admin('PATCH', `/contacts/${a.id}`, { custom_attributes: { plan: 'Pro' } });
    expect(changed.status).toBe(200);
    expect((await admin('GET', `/contacts/${a.id}`)).json).toMatchObject({ custom_attributes: { plan: 'Pro' } });
    expect((await admin('PATCH', `/contacts/${a.id}`, { email: 'B@admin.io' })).status).toBe(409);
    expect((await admin('PATCH', `/contacts/${a.id}`, { custom_attributes: { nope: 1 } })).json).toMatchObject({
      error: expect.stringMatching(/'nope' does not exist/),
    });
    expect((await admin('GET', '/contacts/0123456789abcdef01234567')).status).toBe(404);
  });

  it('dumps and loads NDJSON, naming the bad line', async () => {
    const dump = await admin('GET', '/dump');
    const lines = dump.text.trim().split('\n');
    expect(lines).toHaveLength(2);
    const other = await startIntercomSandbox({ token: TOKEN });
    try {
      expect(other.loadNdjson(dump.text)).toBe(2);
      expect(other.contacts()).toEqual(sb.contacts());
      expect(() => other.loadNdjson(`${lines[0]}\n{"id":"xyz"}\n`)).toThrow(/NDJSON line 2: .*24 lower-case hex/);
      expect(other.counts().total).toBe(2);
    } finally {
      await other.close();
    }
    const reloaded = await admin('POST', '/load?append=false', dump.text);
    expect(reloaded.json).toEqual({ loaded: 2 });
    expect((await admin('POST', '/load', 'not json\n')).status).toBe(400);
  });

  it('sets faults and reports stats by endpoint, including 429s', async () => {
    await admin('DELETE', '/stats');
    expect((await admin('PUT', '/faults', { failNext: 1, errorStatus: 500 })).status).toBe(200);
    expect((await admin('PUT', '/faults', { errorRate: 2 })).status).toBe(400);
    const res = await fetch(`${sb.url}/contacts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(500);
    await admin('DELETE', '/faults');
    await admin('PUT', '/config', { rateLimit: { limit: 1, windowMs: 10_000 } });
    await fetch(`${sb.url}/contacts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    await fetch(`${sb.url}/contacts`, { headers: { authorization: `Bearer ${TOKEN}` } });
    // The service always limits: the limit can be changed, never switched off.
    const off = await admin('PUT', '/config', { rateLimit: false });
    expect(off.status).toBe(400);
    expect(off.json).toMatchObject({ error: expect.stringMatching(/always limits/) });
    await admin('PUT', '/config', { rateLimit: { limit: 1000, windowMs: 10_000 } });
    const stats = (await admin('GET', '/stats')).json as { calls: Record<string, number>; rateLimited: number; faultsInjected: number };
    expect(stats.calls['GET /contacts']).toBe(3);
    expect(stats.faultsInjected).toBe(1);
    expect(stats.rateLimited).toBeGreaterThanOrEqual(1);
  });
});

describe('seeding from the shared generator', () => {
  it('serves every generated Intercom contact through the connector', async () => {
    const people = [...generatePeople({ seed: 7, people: 400 })];
    const contacts = people.flatMap((p) => p.intercom ?? []);
    const seeded = await startIntercomSandbox({ token: TOKEN, contacts });
    const c = createIntercomClient({ baseUrl: seeded.url, token: TOKEN });
    try {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await c.listContactsPage(cursor);
        ids.push(...page.contacts.map((x) => x.id));
        cursor = page.next;
      } while (cursor);
      expect(ids).toEqual(contacts.map((x) => x.id));
      const leads = await c.searchContacts({ field: 'role', operator: '=', value: 'lead' });
      expect(leads.totalCount).toBe(contacts.filter((x) => x.role === 'lead').length);
      expect(seeded.loadNdjson(seeded.dumpNdjson())).toBe(contacts.length);
    } finally {
      await c.close();
      await seeded.close();
    }
  });
});
