// The connector reports every HTTP call it makes, exactly once: compared with the sandbox's own
// count of the requests it received, across grants, renewals, pages, retries and failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiCallReport } from '../../connectors/types.ts';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { CLIENT_ID, CLIENT_SECRET, changes, clientFor } from './salesforce-helpers.ts';

const count = (calls: ApiCallReport[], kind: ApiCallReport['kind']) => calls.filter((c) => c.kind === kind).length;

describe('Salesforce connector call accounting', () => {
  let sb: SalesforceSandbox;
  beforeAll(async () => {
    sb = await startSalesforceSandbox({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      seed: { seed: 2, people: 6000 },
      otherUsage: 250,
    });
  });
  afterAll(() => sb.close());

  it('reports as many calls, of the same kinds, as the sandbox received', async () => {
    const { client, calls } = clientFor(sb);
    const leads = sb.records('Lead');
    let pages = 0;
    for await (const _page of client.scan('Lead', ['Email'], { pageSize: 1000 })) {
      if (++pages === 2) sb.expireSessions();
      if (pages === 3) sb.setFaults({ errorNext: 1, dropNext: 1 });
    }
    await client.describe('Contact');
    await client.readByIds(
      'Lead',
      ['Email'],
      leads.slice(0, 350).map((r) => r.Id),
    );
    await changes(client, 'Lead', ['Email'], null, 500);
    sb.setFaults({ lockRowIds: { [leads[0].Id]: 1 }, errorNext: 1 });
    await client.update(leads.slice(0, 150).map((r) => ({ type: 'Lead', id: r.Id, fields: { Title: 'Counted' } })));
    await expect(client.readPage('Lead', ['Nope__c'])).rejects.toThrow(/INVALID_FIELD/);
    await client.limits();
    sb.setDailyMax(sb.usage().used);
    await expect(client.limits()).rejects.toThrow(/REQUEST_LIMIT_EXCEEDED/);

    const stats = sb.stats();
    expect(calls.length).toBe(stats.requests);
    expect(count(calls, 'auth')).toBe(stats.byKind.auth);
    expect(count(calls, 'query')).toBe(stats.byKind.query + stats.byKind.queryMore + stats.byKind.composite);
    expect(count(calls, 'update')).toBe(stats.byKind.update);
    expect(count(calls, 'describe')).toBe(stats.byKind.describe);
    expect(count(calls, 'limits')).toBe(stats.byKind.limits);
    expect(calls.filter((c) => !c.ok).length).toBe(stats.unauthorized + stats.limited + stats.injectedErrors + stats.dropped + 1);
    expect(count(calls, 'auth')).toBe(2);
    expect(count(calls, 'update')).toBe(3);
    expect(calls.every((c) => c.calls === 1 && c.system === 'salesforce')).toBe(true);

    const last = calls.filter((c) => c.orgUsed !== undefined).at(-1)!;
    expect([last.orgUsed, last.orgMax]).toEqual([sb.usage().used, sb.usage().max]);
    expect(sb.usage().own).toBe(stats.charged);
    expect(sb.usage().other).toBe(250);
  });

  it("keeps each client's count to its own calls", async () => {
    sb.clearFaults();
    sb.resetUsage();
    sb.setDailyMax(100_000);
    sb.resetStats();
    const one = clientFor(sb);
    const two = clientFor(sb);
    await Promise.all([one.client.readPage('Lead', ['Email'], { limit: 10 }), two.client.describe('Lead'), two.client.limits()]);
    expect([one.calls.length, two.calls.length]).toEqual([2, 3]);
    expect(one.calls.length + two.calls.length).toBe(sb.stats().requests);
  });

  it('reuses kept-alive connections instead of opening one per call', async () => {
    sb.clearFaults();
    sb.resetStats();
    const { client, calls } = clientFor(sb);
    for await (const _page of client.scan('Contact', ['Email'], { pageSize: 200 })) {
      // reading only
    }
    expect(calls.length).toBeGreaterThan(10);
    expect(sb.stats().connections).toBeLessThanOrEqual(2);
  });
});
