// The sandbox answers in the shapes recorded from the real Salesforce REST API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { api, CLIENT_ID, CLIENT_SECRET, reference, shapeDiff, soql } from './salesforce-helpers.ts';

type Page = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: Array<Record<string, unknown>> };
const envelope = (p: Page) => ({ ...p, records: p.records.map((r) => ({ attributes: r.attributes })) });

describe('Salesforce sandbox wire shapes', () => {
  let sb: SalesforceSandbox;
  beforeAll(async () => {
    sb = await startSalesforceSandbox({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      seed: { seed: 3, people: 3000, icOnlyShare: 0, leadShare: 1, bothShare: 0 },
    });
  });
  afterAll(() => sb.close());

  it('pages a query like the recorded first and last pages', async () => {
    const first = await soql(sb, 'SELECT Id, Email FROM Lead');
    const p1 = first.body as Page;
    expect(p1.done).toBe(false);
    expect(shapeDiff(envelope(reference('query_paginated_first_page_response.json') as Page), envelope(p1))).toEqual([]);
    expect(p1.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/[A-Za-z0-9]+-2000$/);
    const last = await api(sb, p1.nextRecordsUrl!);
    const p2 = last.body as Page;
    expect(p2.done).toBe(true);
    expect(shapeDiff(envelope(reference('query_paginated_last_page_response.json') as Page), envelope(p2))).toEqual([]);
    expect(p1.totalSize).toBe(3000);
    expect(p1.records.length + p2.records.length).toBe(3000);
  });

  it('formats records like the recorded query answer', async () => {
    const res = await soql(
      sb,
      'SELECT Id, HasOptedOutOfEmail, LastName, Trial_End__c, SystemModstamp FROM Lead WHERE Trial_End__c != null LIMIT 1',
    );
    const page = res.body as Page;
    expect(shapeDiff(envelope(reference('query_success_response.json') as Page), envelope(page))).toEqual([]);
    const rec = page.records[0];
    const ref = (reference('query_success_response.json') as Page).records[0];
    expect(typeof rec.HasOptedOutOfEmail).toBe(typeof ref.Checkbox_Label);
    expect(rec.Trial_End__c).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(rec.SystemModstamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);
    expect(String(ref.DateTime_Label)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);
    expect(rec.attributes).toEqual({ type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${String(rec.Id)}` });
  });

  it('describes Lead and Contact with every key of the recorded describe', async () => {
    const ref = reference('sobject_describe_success_response.json') as { fields: Array<Record<string, unknown>> };
    for (const object of ['Lead', 'Contact']) {
      const res = await api(sb, `/services/data/v62.0/sobjects/${object}/describe`);
      expect(res.status).toBe(200);
      const body = res.body as { fields: Array<Record<string, unknown>> };
      expect(shapeDiff({ ...ref, fields: [] }, { ...body, fields: [] })).toEqual([]);
      // Keys the recording itself shows null for some field (defaultValue, ...) may be null here.
      const nullable = new Set(ref.fields.flatMap((r) => Object.keys(r).filter((k) => r[k] === null)));
      for (const f of body.fields) {
        const sameType =
          ref.fields.find((r) => r.type === f.type && (r.picklistValues as unknown[]).length > 0) ??
          ref.fields.find((r) => r.type === f.type) ??
          ref.fields[0];
        expect(shapeDiff(sameType, f, `${object}.${String(f.name)}`, nullable)).toEqual([]);
      }
      const names = body.fields.map((f) => f.name);
      expect(names).toEqual(
        expect.arrayContaining(['Id', 'Email', 'Plan__c', 'Score__c', 'SystemModstamp', object === 'Lead' ? 'Company' : 'MailingCity']),
      );
      const email = body.fields.find((f) => f.name === 'Email')!;
      expect([email.type, email.length]).toEqual(['email', 80]);
    }
  });

  it('answers /limits with the recorded key set', async () => {
    const res = await api(sb, '/services/data/v62.0/limits');
    expect(shapeDiff(reference('limits_response.json'), res.body)).toEqual([]);
    expect(Object.keys(res.body as object).sort()).toEqual(Object.keys(reference('limits_response.json') as object).sort());
  });

  it('answers collections updates and REST errors in the recorded shapes', async () => {
    const [a, b] = sb.records('Lead', 0, 2);
    const res = await api(sb, '/services/data/v62.0/composite/sobjects', {
      method: 'PATCH',
      body: JSON.stringify({
        allOrNone: false,
        records: [
          { attributes: { type: 'Lead' }, id: a.Id, Title: 'CTO' },
          { attributes: { type: 'Lead' }, id: b.Id, City: 'x'.repeat(41) },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const results = res.body as Array<{ errors: unknown[] }>;
    expect(shapeDiff(reference('composite_sobjects_success_response.json'), [results[0]])).toEqual([]);
    expect(shapeDiff({ id: '', success: false, errors: [{ statusCode: '', message: '', fields: [''] }] }, results[1])).toEqual([]);
    const bad = await soql(sb, 'SELECT Foo FROM Lead');
    expect(bad.status).toBe(400);
    expect(shapeDiff(reference('write_error_response.json'), bad.body)).toEqual([]);
  });

  it('answers getUpdated like the recorded one', async () => {
    const start = new Date(Date.now() - 86_400_000).toISOString();
    const end = new Date(Date.now() + 120_000).toISOString();
    const res = await api(
      sb,
      `/services/data/v62.0/sobjects/Lead/updated/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`,
    );
    expect(res.status).toBe(200);
    expect(shapeDiff(reference('get_updated_success_response.json'), res.body)).toEqual([]);
  });

  it('grants tokens with the documented keys and an id URL ending in org and user', async () => {
    const res = await fetch(`${sb.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
    });
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'id', 'instance_url', 'issued_at', 'scope', 'signature', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    expect(body.id).toMatch(/\/id\/00D\w{15}\/005\w{15}$/);
  });

  it('sends Sforce-Limit-Info on every data API answer, errors included', async () => {
    const answers = await Promise.all([
      soql(sb, 'SELECT Id FROM Lead LIMIT 1'),
      soql(sb, 'SELECT Nope FROM Lead'),
      api(sb, '/services/data/v62.0/sobjects/Lead/00Q999999999999AAA'),
      api(sb, '/services/data/v62.0/limits', { token: 'not-a-session' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 400, 404, 401]);
    for (const a of answers) expect(a.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
  });
});
