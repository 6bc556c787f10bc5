// jsforce 3.10 as a plain client against the sandbox, with none of the connector's code: what a
// developer or a third-party tool would do. If these pass, the sandbox speaks Salesforce well
// enough for jsforce's own parsing, paging, single-record and collection writes, JWT login and
// limit tracking, strict as it is.
import { sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, OAuth2 } from 'jsforce';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { CLIENT_ID, CLIENT_SECRET } from './salesforce-helpers.ts';

describe('jsforce used directly against the sandbox', () => {
  let sb: SalesforceSandbox;
  let conn: Connection;
  beforeAll(async () => {
    sb = await startSalesforceSandbox({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, seed: { seed: 17, people: 6000 } });
    conn = new Connection({ oauth2: { loginUrl: sb.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, version: '62.0' });
  });
  afterAll(() => sb.close());

  it('logs in with the client-credentials grant and parses the identity URL', async () => {
    const user = await conn.authorize({ grant_type: 'client_credentials' });
    expect(user.organizationId).toMatch(/^00D/);
    expect(user.id).toMatch(/^005/);
    expect(conn.instanceUrl).toBe(sb.url);
  });

  it('pages a query with queryMore until done', async () => {
    const contacts = sb.records('Contact');
    let res = await conn.query<{ Id: string }>('SELECT Id, Email FROM Contact');
    const ids = res.records.map((r) => r.Id);
    expect(res.totalSize).toBe(contacts.length);
    while (!res.done) {
      res = await conn.queryMore<{ Id: string }>(res.nextRecordsUrl!);
      ids.push(...res.records.map((r) => r.Id));
    }
    expect(ids).toEqual(contacts.map((r) => r.Id));
    const fetched = await conn.query('SELECT Id FROM Lead').run({ autoFetch: true, maxFetch: 100_000 });
    expect(fetched.records).toHaveLength(sb.counts().Lead);
  });

  it('updates a collection with sobject().update and reads the results', async () => {
    const [a, b] = sb.records('Contact', 0, 2);
    const results = await conn.sobject('Contact').update([
      { Id: a.Id, Department: 'Research' },
      { Id: b.Id, MailingCity: 'm'.repeat(41) },
    ]);
    expect(results[0]).toMatchObject({ id: a.Id, success: true });
    expect(results[1].success).toBe(false);
    expect(sb.get(a.Id)!.Department).toBe('Research');
    const record = await conn.sobject('Contact').retrieve(a.Id);
    expect(record.Department).toBe('Research');
  });

  it('updates, creates and reads one record through its own resource, by an 18- or 15-character Id', async () => {
    const [c] = sb.records('Contact', 5, 1);
    const updated = await conn.sobject('Contact').update({ Id: c.Id, Department: 'Single' });
    expect(updated).toMatchObject({ id: c.Id, success: true });
    expect(sb.get(c.Id)!.Department).toBe('Single');
    const refused = await conn
      .sobject('Contact')
      .update({ Id: c.Id, MailingCity: 'm'.repeat(41) })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ errorCode: 'STRING_TOO_LONG' });
    const created = await conn.sobject('Lead').create({ LastName: 'Direct', Company: 'Acme' });
    expect(created).toMatchObject({ success: true });
    const read = await conn.sobject('Lead').retrieve(created.id!.slice(0, 15));
    expect(read).toMatchObject({ Id: created.id, LastName: 'Direct', Status: 'Open - Not Contacted' });
  });

  it('logs in with the JWT bearer grant signed by the key of the sandbox', async () => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const body = `${part({ alg: 'RS256' })}.${part({ iss: CLIENT_ID, sub: 'integration@sandbox.example', aud: sb.url, exp: Math.floor(Date.now() / 1000) + 180 })}`;
    const assertion = `${body}.${sign('RSA-SHA256', Buffer.from(body), sb.jwtPrivateKey!).toString('base64url')}`;
    const oauth2 = new OAuth2({ loginUrl: sb.url });
    const tokens = await oauth2.requestToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    const jwtConn = new Connection({ instanceUrl: tokens.instance_url, accessToken: tokens.access_token, version: '62.0' });
    expect((await jwtConn.query('SELECT Id FROM Lead LIMIT 2')).records).toHaveLength(2);
  });

  it('describes, reads /limits and tracks usage from Sforce-Limit-Info', async () => {
    const d = await conn.describe('Lead');
    expect(d.fields.find((f) => f.name === 'City')?.length).toBe(40);
    const limits = await conn.request<{ DailyApiRequests: { Max: number; Remaining: number } }>('/limits');
    expect(limits.DailyApiRequests.Max).toBe(100_000);
    expect(conn.limitInfo.apiUsage).toEqual({ used: sb.usage().used, limit: 100_000 });
  });

  it('works from a bare access token, and reports an expired one as INVALID_SESSION_ID', async () => {
    const bare = new Connection({ instanceUrl: sb.url, accessToken: sb.issueToken(), version: '62.0' });
    expect((await bare.query('SELECT Id FROM Lead LIMIT 3')).records).toHaveLength(3);
    sb.expireSessions();
    await expect(bare.query('SELECT Id FROM Lead LIMIT 3')).rejects.toMatchObject({ errorCode: 'INVALID_SESSION_ID' });
  });
});
