// SOQL in the sandbox: every query form the connector sends, checked against a brute-force
// evaluation over the same records, plus paging and the documented errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SfRecord } from '../../connectors/types.ts';
import { parseSoql, startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { api, soql } from './salesforce-helpers.ts';

type Page = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: SfRecord[] };
const ids = (p: unknown) => (p as Page).records.map((r) => r.Id);
const byId = (a: SfRecord, b: SfRecord) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0);
const byStampId = (a: SfRecord, b: SfRecord) =>
  a.SystemModstamp! < b.SystemModstamp! ? -1 : a.SystemModstamp! > b.SystemModstamp! ? 1 : byId(a, b);

describe('Salesforce sandbox SOQL', () => {
  let sb: SalesforceSandbox;
  let contacts: SfRecord[];
  let leads: SfRecord[];

  beforeAll(async () => {
    sb = await startSalesforceSandbox({ seed: { seed: 11, people: 6000 } });
    contacts = sb.records('Contact');
    leads = sb.records('Lead');
  });
  afterAll(() => sb.close());

  it('walks the Id keyset: WHERE Id > x ORDER BY Id LIMIT n', async () => {
    const after = contacts[1234].Id;
    const res = await soql(sb, `SELECT Id, Email FROM Contact WHERE Id > '${after}' ORDER BY Id LIMIT 50`);
    expect(ids(res.body)).toEqual(
      contacts
        .filter((r) => r.Id > after)
        .sort(byId)
        .slice(0, 50)
        .map((r) => r.Id),
    );
    expect((res.body as Page).totalSize).toBe(50);
    const tail = await soql(sb, `SELECT Id FROM Contact WHERE Id > '${contacts[contacts.length - 3].Id}' ORDER BY Id LIMIT 2000`);
    expect(ids(tail.body)).toEqual(contacts.slice(-2).map((r) => r.Id));
  });

  it('walks the (SystemModstamp, Id) cursor through ties', async () => {
    const counts = new Map<string, number>();
    for (const r of leads) counts.set(r.SystemModstamp!, (counts.get(r.SystemModstamp!) ?? 0) + 1);
    const [tied] = [...counts].sort((a, b) => b[1] - a[1])[0];
    const inTie = leads.filter((r) => r.SystemModstamp === tied).sort(byId);
    expect(inTie.length).toBeGreaterThan(5);
    const cursorId = inTie[2].Id;
    const t = tied.replace('+0000', 'Z');
    const res = await soql(
      sb,
      `SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp > ${t} OR (SystemModstamp = ${t} AND Id > '${cursorId}') ORDER BY SystemModstamp, Id LIMIT 100`,
    );
    const expected = leads
      .filter((r) => r.SystemModstamp! > tied || (r.SystemModstamp === tied && r.Id > cursorId))
      .sort(byStampId)
      .slice(0, 100);
    expect(ids(res.body)).toEqual(expected.map((r) => r.Id));
  });

  it('evaluates AND, OR, parentheses, IN, comparisons and ORDER BY DESC like a brute-force filter', async () => {
    const q =
      "SELECT Id, Score__c FROM Lead WHERE (LeadSource = 'web' OR Plan__c IN ('Pro', 'Enterprise')) AND HasOptedOutOfEmail = false AND Score__c >= 500.5 ORDER BY Score__c DESC, Id LIMIT 30";
    const res = await soql(sb, q);
    const expected = leads
      .filter(
        (r) =>
          (r.LeadSource === 'Web' || ['Pro', 'Enterprise'].includes(String(r.Plan__c))) &&
          r.HasOptedOutOfEmail === false &&
          r.Score__c !== null &&
          Number(r.Score__c) >= 500.5,
      )
      .sort((a, b) => Number(b.Score__c) - Number(a.Score__c) || byId(a, b))
      .slice(0, 30);
    expect(ids(res.body)).toEqual(expected.map((r) => r.Id));
  });

  it('handles null, !=, NOT IN, dates, escapes and OFFSET', async () => {
    const total = (await soql(sb, 'SELECT Id FROM Contact WHERE Phone = null')).body as Page;
    const notNull = (await soql(sb, 'SELECT Id FROM Contact WHERE Phone != null')).body as Page;
    expect(total.totalSize).toBe(contacts.filter((r) => r.Phone === null).length);
    expect(total.totalSize + notNull.totalSize).toBe(contacts.length);
    const notIn = (await soql(sb, "SELECT Id FROM Contact WHERE LeadSource NOT IN ('Web', 'Other')")).body as Page;
    expect(notIn.totalSize).toBe(contacts.filter((r) => r.LeadSource !== 'Web' && r.LeadSource !== 'Other').length);
    const dated = (await soql(sb, 'SELECT Id FROM Lead WHERE Trial_End__c < 2024-02-01')).body as Page;
    expect(dated.totalSize).toBe(leads.filter((r) => r.Trial_End__c !== null && String(r.Trial_End__c) < '2024-02-01').length);
    const oneil = (await soql(sb, "SELECT Id, LastName FROM Lead WHERE LastName = 'O\\'Neil' LIMIT 5")).body as Page;
    expect(oneil.records.length).toBeGreaterThan(0);
    expect(oneil.records.every((r) => r.LastName === "O'Neil")).toBe(true);
    const offset = await soql(sb, 'SELECT Id FROM Lead ORDER BY Id LIMIT 5 OFFSET 10');
    expect(ids(offset.body)).toEqual(leads.slice(10, 15).map((r) => r.Id));
  });

  it('counts with SELECT COUNT(), filtered or not', async () => {
    expect((await soql(sb, 'SELECT COUNT() FROM Lead')).body).toEqual({ totalSize: leads.length, done: true, records: [] });
    const web = (await soql(sb, "SELECT COUNT() FROM Contact WHERE LeadSource = 'Web'")).body as Page;
    expect(web.totalSize).toBe(contacts.filter((r) => r.LeadSource === 'Web').length);
  });

  it('reads date-time literals in every documented form as the same instant', async () => {
    const forms = ['2024-01-20T00:00:00Z', '2024-01-20T00:00:00.000+0000', '2024-01-20T02:00:00+02:00', '2024-01-19T19:00:00.000-05:00'];
    const sizes = await Promise.all(
      forms.map(async (f) => ((await soql(sb, `SELECT Id FROM Lead WHERE SystemModstamp >= ${f}`)).body as Page).totalSize),
    );
    expect(new Set(sizes).size).toBe(1);
    expect(sizes[0]).toBe(leads.filter((r) => r.SystemModstamp! >= '2024-01-20T00:00:00.000+0000').length);
  });

  it('pages with nextRecordsUrl at the batch size asked for, with no gaps or repeats', async () => {
    const seen: string[] = [];
    let res = await api(sb, `/services/data/v62.0/queryAll?q=${encodeURIComponent('SELECT Id FROM Contact')}`, {
      headers: { 'Sforce-Query-Options': 'batchSize=500' },
    });
    let calls = 1;
    for (;;) {
      const page = res.body as Page;
      expect(page.totalSize).toBe(contacts.length);
      seen.push(...ids(page));
      if (page.done) break;
      expect(page.records).toHaveLength(500);
      res = await api(sb, page.nextRecordsUrl!, { headers: { 'Sforce-Query-Options': 'batchSize=500' } });
      calls++;
    }
    expect(seen).toEqual(contacts.map((r) => r.Id));
    expect(calls).toBe(Math.ceil(contacts.length / 500));
  });

  it('answers the documented error codes', async () => {
    const cases: Array<[string, number, string]> = [
      ['SELECT Id FROM Lead WHERE Bogus__c = 1', 400, 'INVALID_FIELD'],
      ['SELECT Id FROM Lead ORDER BY Nope', 400, 'INVALID_FIELD'],
      ['SELECT Id Lead', 400, 'MALFORMED_QUERY'],
      ["SELECT Id FROM Lead WHERE LastName = 'open", 400, 'MALFORMED_QUERY'],
      ['SELECT Id FROM Lead LIMIT 5 garbage', 400, 'MALFORMED_QUERY'],
      ['SELECT Id FROM Account', 400, 'INVALID_TYPE'],
      ["SELECT Id FROM Lead WHERE SystemModstamp > '2024-01-01T00:00:00Z'", 400, 'INVALID_QUERY_FILTER_OPERATOR'],
      ['SELECT Id, Id FROM Lead', 400, 'MALFORMED_QUERY'],
    ];
    for (const [q, status, code] of cases) {
      const res = await soql(sb, q);
      expect([q, res.status, (res.body as Array<{ errorCode: string }>)[0].errorCode]).toEqual([q, status, code]);
    }
    const stale = await api(sb, '/services/data/v62.0/query/01gNOPE-2000');
    expect((stale.body as Array<{ errorCode: string }>)[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('parses the cursor query into the expected tree', () => {
    const q = parseSoql(
      "SELECT Id FROM Lead WHERE SystemModstamp > 2024-01-01T00:00:00Z OR (SystemModstamp = 2024-01-01T00:00:00Z AND Id > 'a') ORDER BY SystemModstamp, Id LIMIT 10",
    );
    expect(q.where).toEqual({
      type: 'or',
      left: { type: 'cmp', field: 'SystemModstamp', op: '>', value: { kind: 'datetime', value: '2024-01-01T00:00:00.000+0000' } },
      right: {
        type: 'and',
        left: { type: 'cmp', field: 'SystemModstamp', op: '=', value: { kind: 'datetime', value: '2024-01-01T00:00:00.000+0000' } },
        right: { type: 'cmp', field: 'Id', op: '>', value: { kind: 'string', value: 'a' } },
      },
    });
    expect(q.orderBy.map((k) => k.field)).toEqual(['SystemModstamp', 'Id']);
    expect(q.limit).toBe(10);
  });
});
