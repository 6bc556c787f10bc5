// The Composite resource, as the connector's change reads use it and as the sandbox serves it
// (API-FACTS "Composite"): several queries in one request, charged as ONE call toward the limit;
// at most 25 subrequests of which at most 5 query operations; a failed subrequest answers its own
// error while the others run; the answer's Date header is the org's clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldRefusedError } from '../../connectors/index.ts';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { spec } from '../../sandbox/sf-schema.ts';
import { CLIENT_ID, CLIENT_SECRET, api, clientFor } from './salesforce-helpers.ts';

const query = (q: string, referenceId: string) => ({
  method: 'GET',
  url: `/services/data/v62.0/query?q=${encodeURIComponent(q)}`,
  referenceId,
});

describe('Salesforce composite reads', () => {
  const now = Date.UTC(2025, 4, 6, 12, 0, 0, 700);
  let sb: SalesforceSandbox;
  beforeAll(async () => {
    sb = await startSalesforceSandbox({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, now: () => now, seed: { seed: 5, people: 400 } });
  });
  afterAll(() => sb.close());

  it("reads both objects' changes in one call, charged once, with the org's clock", async () => {
    const { client, calls } = clientFor(sb);
    await client.connect();
    const charged = sb.stats().charged;
    const read = await client.readChangesTogether([
      { object: 'Contact', fields: ['Email'], cursor: null, limit: 50 },
      { object: 'Lead', fields: ['Email', 'Title'], cursor: null, limit: 2000 },
    ]);
    expect(sb.stats().charged - charged).toBe(1);
    expect(sb.usage().own).toBe(sb.stats().charged);
    expect(calls.filter((c) => c.kind === 'query')).toHaveLength(1);
    expect(read.pages.Contact?.records).toHaveLength(50);
    expect(read.pages.Contact?.done).toBe(false);
    expect(read.pages.Lead?.records).toHaveLength(sb.counts().Lead);
    expect(read.pages.Lead?.done).toBe(true);
    expect(read.serverTime).toBe(Math.floor(now / 1000) * 1000);
  });

  it('names a field an object no longer has, whichever subrequest met it', async () => {
    const { client } = clientFor(sb);
    sb.defineField('Lead', spec({ name: 'Gone__c', type: 'string', length: 10 }));
    sb.deleteField('Lead', 'Gone__c');
    const err = await client
      .readChangesTogether([
        { object: 'Contact', fields: ['Email'], cursor: null, limit: 5 },
        { object: 'Lead', fields: ['Email', 'Gone__c'], cursor: null, limit: 5 },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FieldRefusedError);
    expect(err).toMatchObject({ object: 'Lead', field: 'Gone__c', code: 'INVALID_FIELD' });
  });

  it('refuses more than 5 query operations or 25 subrequests; a failed subrequest leaves the others', async () => {
    const six = Array.from({ length: 6 }, (_, i) => query('SELECT Id FROM Lead LIMIT 1', `q${i}`));
    const refused = await api(sb, '/services/data/v62.0/composite', { method: 'POST', body: JSON.stringify({ compositeRequest: six }) });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/at most 5 query operations/);
    const many = Array.from({ length: 26 }, (_, i) => ({ method: 'GET', url: '/services/data/v62.0/limits', referenceId: `l${i}` }));
    expect(
      (await api(sb, '/services/data/v62.0/composite', { method: 'POST', body: JSON.stringify({ compositeRequest: many }) })).status,
    ).toBe(400);
    const mixed = await api(sb, '/services/data/v62.0/composite', {
      method: 'POST',
      body: JSON.stringify({ compositeRequest: [query('SELECT Id FROM Lead LIMIT 2', 'ok'), query('SELECT Nope__c FROM Lead', 'bad')] }),
    });
    const subs = (mixed.body as { compositeResponse: { referenceId: string; httpStatusCode: number; body: unknown }[] }).compositeResponse;
    expect(subs.map((s) => [s.referenceId, s.httpStatusCode])).toEqual([
      ['ok', 200],
      ['bad', 400],
    ]);
    expect((subs[0].body as { records: unknown[] }).records).toHaveLength(2);
    expect((subs[1].body as { errorCode: string }[])[0].errorCode).toBe('INVALID_FIELD');
  });
});
