// Reading through the Salesforce connector: keyset pages and scans at the boundaries, session
// expiry mid-scan, change polling through modstamp ties, look-ups by Id, describe, auth modes.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldRefusedError } from '../../connectors/errors.ts';
import { createSalesforceClient } from '../../connectors/salesforce/index.ts';
import { spec } from '../../sandbox/sf-schema.ts';
import type { SfRecord } from '../../connectors/types.ts';
import { DEFAULT_SESSION_TIMEOUT_MS, startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { CLIENT_ID, CLIENT_SECRET, changes, clientFor } from './salesforce-helpers.ts';

const leadsOnly = (people: number) => ({ seed: 9, people, icOnlyShare: 0, leadShare: 1, bothShare: 0 });
const kinds = (calls: Array<{ kind: string }>) => calls.map((c) => c.kind);

describe('Salesforce connector scans at page boundaries', () => {
  for (const [count, pages, queries] of [
    [0, [], 1],
    [1, [1], 1],
    [2000, [2000], 2],
    [2001, [2000, 1], 2],
  ] as const) {
    it(`reads ${count} records in ${pages.length} pages with ${queries} query calls`, async () => {
      const sb = await startSalesforceSandbox({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, seed: leadsOnly(count) });
      try {
        const { client, calls } = clientFor(sb);
        const sizes: number[] = [];
        const ids: string[] = [];
        for await (const page of client.scan('Lead', ['Email'])) {
          sizes.push(page.length);
          ids.push(...page.map((r) => r.Id));
        }
        expect(sizes).toEqual(pages);
        expect(ids).toEqual(sb.records('Lead').map((r) => r.Id));
        expect(kinds(calls)).toEqual(['auth', ...Array(queries).fill('query')]);
        expect(sb.stats().byKind.query).toBe(queries);
      } finally {
        await sb.close();
      }
    });
  }
});

describe('Salesforce connector reads', () => {
  let sb: SalesforceSandbox;
  let all: SfRecord[];
  beforeAll(async () => {
    sb = await startSalesforceSandbox({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      seed: { seed: 21, people: 5000 },
      pageSize: 500,
    });
    all = sb.records('Contact');
  });
  afterAll(() => sb.close());

  it('crosses page boundaries without gaps or repeats, whatever the page size', async () => {
    const { client } = clientFor(sb);
    for (const pageSize of [7, 499, 500, 501]) {
      const ids: string[] = [];
      for await (const page of client.scan('Contact', ['Email', 'LastName'], { pageSize })) {
        expect(page.length).toBeLessThanOrEqual(pageSize);
        ids.push(...page.map((r) => r.Id));
      }
      expect(ids).toEqual(all.map((r) => r.Id));
    }
  });

  it('follows nextRecordsUrl when the server pages a keyset read smaller than asked', async () => {
    const { client, calls } = clientFor(sb);
    const page = await client.readPage('Contact', ['Email'], { afterId: all[10].Id, limit: 1200 });
    expect(page.records.map((r) => r.Id)).toEqual(all.slice(11, 1211).map((r) => r.Id));
    expect(page.records[0]).toEqual({ Id: all[11].Id, Email: all[11].Email });
    expect([page.lastId, page.done]).toEqual([all[1210].Id, false]);
    expect(kinds(calls)).toEqual(['auth', 'query', 'query', 'query']);
  });

  it('renews an expired session mid-scan and finishes without duplicates or gaps', async () => {
    const { client, calls } = clientFor(sb);
    const ids: string[] = [];
    let pages = 0;
    for await (const page of client.scan('Contact', ['Email'], { pageSize: 1000 })) {
      ids.push(...page.map((r) => r.Id));
      if (++pages === 2) sb.expireSessions();
    }
    expect(ids).toEqual(all.map((r) => r.Id));
    expect(kinds(calls).filter((k) => k === 'auth')).toHaveLength(2);
    expect(calls.filter((c) => !c.ok)).toHaveLength(1);
  });

  // API-FACTS "OAuth": a session ends after the org's idle timeout; the connector renews it once
  // and the read goes on from the page it was at (nextRecordsUrl outlives the session).
  it('renews a session that timed out between two pages of one query, once, and reads on', async () => {
    let idle = false;
    const calls: Array<{ kind: string; ok: boolean }> = [];
    const { client } = clientFor(sb, {
      onCall: (r) => {
        calls.push(r);
        if (r.kind === 'query' && !idle) {
          idle = true;
          sb.advanceClock(DEFAULT_SESSION_TIMEOUT_MS + 1_000);
        }
      },
    });
    const page = await changes(client, 'Contact', ['Email'], null, 2000);
    const expected = [...all].sort((a, b) =>
      a.SystemModstamp! < b.SystemModstamp! ? -1 : a.SystemModstamp! > b.SystemModstamp! ? 1 : a.Id < b.Id ? -1 : 1,
    );
    expect(page.records.map((r) => r.Id)).toEqual(expected.slice(0, 2000).map((r) => r.Id));
    // auth, first page, refused next page, one renewal, the same next page again, two more pages.
    expect(calls.map((c) => `${c.kind}${c.ok ? '' : '!'}`)).toEqual(['auth', 'query', 'query!', 'auth', 'query', 'query', 'query']);
  });

  // API-FACTS "Describe": an admin may delete a custom field; a query selecting it is refused.
  it('names the field when a query is refused for a field the object no longer has', async () => {
    const { client } = clientFor(sb);
    sb.defineField('Contact', spec({ name: 'Gone__c', type: 'string', length: 10 }));
    expect((await client.readPage('Contact', ['Gone__c'], { limit: 3 })).records[0]).toHaveProperty('Gone__c');
    sb.deleteField('Contact', 'Gone__c');
    const err = await client.readPage('Contact', ['Email', 'Gone__c'], { limit: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FieldRefusedError);
    expect(err).toMatchObject({ code: 'INVALID_FIELD', object: 'Contact', field: 'Gone__c', retryable: false });
  });

  it('polls changes by (SystemModstamp, Id) through a tie of 200 records sharing one stamp', async () => {
    const { client } = clientFor(sb);
    const batch = all.slice(0, 200).map((r) => ({ type: 'Contact' as const, id: r.Id, fields: { Title: 'Tied' } }));
    const results = await client.update(batch);
    expect(results.every((r) => r.success)).toBe(true);
    const seen: SfRecord[] = [];
    let cursor = null;
    for (;;) {
      const page = await changes(client, 'Contact', ['Title'], cursor, 37);
      seen.push(...page.records);
      cursor = page.cursor;
      if (page.done) break;
    }
    const expected = sb
      .records('Contact')
      .sort((a, b) => (a.SystemModstamp! < b.SystemModstamp! ? -1 : a.SystemModstamp! > b.SystemModstamp! ? 1 : a.Id < b.Id ? -1 : 1));
    expect(seen.map((r) => r.Id)).toEqual(expected.map((r) => r.Id));
    expect(seen.slice(-200).every((r) => r.Title === 'Tied')).toBe(true);
    const quiet = await changes(client, 'Contact', ['Title'], cursor, 37);
    expect([quiet.records, quiet.cursor, quiet.done]).toEqual([[], cursor, true]);
    sb.userUpdate(all[300].Id, { Title: 'Edited' });
    const next = await changes(client, 'Contact', ['Title'], cursor, 37);
    expect(next.records.map((r) => [r.Id, r.Title])).toEqual([[all[300].Id, 'Edited']]);
  });

  it('looks records up by Id in batches of 200, leaving out unknown Ids', async () => {
    const { client, calls } = clientFor(sb);
    const wanted = all.slice(0, 450).map((r) => r.Id);
    const got = await client.readByIds('Contact', ['Email'], [...wanted, wanted[0], '003999999999999AAA']);
    expect(got.map((r) => r.Id).sort()).toEqual(wanted.sort());
    expect(kinds(calls)).toEqual(['auth', 'query', 'query', 'query']);
  });

  it("counts an object's records in one call", async () => {
    const { client, calls } = clientFor(sb);
    expect(await client.count('Contact')).toBe(all.length);
    expect(await client.count('Lead')).toBe(sb.counts().Lead);
    expect(calls.map((c) => c.kind)).toEqual(['auth', 'query', 'query']);
  });

  it('maps the describe to field types, lengths and picklists', async () => {
    const { client } = clientFor(sb);
    const d = await client.describe('Lead');
    const f = (n: string) => d.fields.find((x) => x.name === n)!;
    expect(d.name).toBe('Lead');
    expect([f('City').type, f('City').length, f('City').updateable]).toEqual(['string', 40, true]);
    expect(f('Plan__c').picklistValues.map((p) => p.value)).toEqual(['Free', 'Starter', 'Pro', 'Enterprise']);
    expect([f('Score__c').precision, f('Score__c').scale]).toEqual([18, 2]);
    expect([f('SystemModstamp').updateable, f('LastName').nillable]).toEqual([false, false]);
  });

  it('works with a fixed token and with the JWT bearer grant', async () => {
    const fixed = createSalesforceClient({ auth: { kind: 'token', instanceUrl: sb.url, accessToken: sb.issueToken() } });
    expect((await fixed.readPage('Lead', ['Email'], { limit: 3 })).records).toHaveLength(3);

    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwtSb = await startSalesforceSandbox({
      clientId: CLIENT_ID,
      username: 'sync@example.com',
      seed: leadsOnly(30),
      jwtPublicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    try {
      const calls: string[] = [];
      const jwt = createSalesforceClient({
        auth: {
          kind: 'jwt',
          loginUrl: jwtSb.url,
          clientId: CLIENT_ID,
          username: 'sync@example.com',
          privateKey: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
        onCall: (r) => calls.push(r.kind),
      });
      expect((await jwt.readPage('Lead', ['Email'], { limit: 10 })).records).toHaveLength(10);
      jwtSb.expireSessions();
      expect((await jwt.readPage('Lead', ['Email'], { limit: 10 })).records).toHaveLength(10);
      expect(calls).toEqual(['auth', 'query', 'query', 'auth', 'query']);
    } finally {
      await jwtSb.close();
    }
  });
});
