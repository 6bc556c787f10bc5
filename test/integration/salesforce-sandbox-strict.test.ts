// What the sandbox refuses and accepts as a real org does, each case citing the fact it mirrors
// in test/fixtures/reference/API-FACTS.md: single-record resources, API versions, JWT signatures,
// idle sessions, OFFSET and filterable/sortable fields, picklists, sObject names and Id forms,
// converted Leads, and custom fields an admin adds or deletes.
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_BEARER, startSalesforceSandbox, type SalesforceSandbox, type SaveResult } from '../../sandbox/salesforce/index.ts';
import { spec } from '../../sandbox/sf-schema.ts';
import { api, soql } from './salesforce-helpers.ts';

const errorOf = (body: unknown) => (body as Array<{ errorCode: string; message: string; fields?: string[] }>)[0];
const token = (sb: SalesforceSandbox, params: Record<string, string>) =>
  fetch(`${sb.url}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams(params) }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as Record<string, string>,
  }));

describe('Salesforce sandbox: what a real org refuses and accepts', () => {
  let now = Date.UTC(2025, 2, 3, 10, 0, 0);
  let sb: SalesforceSandbox;
  beforeAll(async () => {
    sb = await startSalesforceSandbox({ now: () => now, seed: { seed: 21, people: 3000, icOnlyShare: 0, leadShare: 0.5, bothShare: 0 } });
  });
  afterAll(() => sb.close());

  // API-FACTS "Writes": one record is PATCH /sobjects/{type}/{id} (204) and POST /sobjects/{type}
  // (201 {id, success, errors}); a refused one answers 400 with the record's errors at the top.
  it('updates and creates single records, refusing like the collections resource but at the top level', async () => {
    const [lead] = sb.records('Lead', 0, 1);
    const ok = await api(sb, `/services/data/v62.0/sobjects/Lead/${lead.Id}`, {
      method: 'PATCH',
      body: JSON.stringify({ Title: 'Single' }),
    });
    expect([ok.status, ok.body]).toEqual([204, undefined]);
    expect(sb.get(lead.Id)!.Title).toBe('Single');
    const long = await api(sb, `/services/data/v62.0/sobjects/Lead/${lead.Id}`, {
      method: 'PATCH',
      body: JSON.stringify({ City: 'c'.repeat(41) }),
    });
    expect([long.status, errorOf(long.body)]).toEqual([
      400,
      { message: `City: data value too large: ${'c'.repeat(41)} (max length=40)`, errorCode: 'STRING_TOO_LONG', fields: ['City'] },
    ]);
    const unknown = await api(sb, `/services/data/v62.0/sobjects/Lead/${lead.Id}`, {
      method: 'PATCH',
      body: JSON.stringify({ Nope__c: 1 }),
    });
    expect([unknown.status, errorOf(unknown.body).errorCode]).toEqual([400, 'INVALID_FIELD']);

    const created = await api(sb, '/services/data/v62.0/sobjects/Contact', {
      method: 'POST',
      body: JSON.stringify({ LastName: 'New', Email: 'new@example.com' }),
    });
    expect(created.status).toBe(201);
    const { id } = created.body as { id: string; success: boolean; errors: unknown[] };
    expect(created.body).toEqual({ id, success: true, errors: [] });
    expect(sb.get(id)).toMatchObject({ LastName: 'New', Email: 'new@example.com' });
    const missing = await api(sb, '/services/data/v62.0/sobjects/Lead', {
      method: 'POST',
      body: JSON.stringify({ LastName: 'No company' }),
    });
    expect([missing.status, errorOf(missing.body)]).toEqual([
      400,
      { message: 'Required fields are missing: [Company]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Company'] },
    ]);
  });

  // API-FACTS "Versions": 31.0 up to the org's release are served; older ones answer 410.
  it('serves API versions 31.0 to 62.0: a retired one is gone (410), a future one does not exist (404)', async () => {
    const listed = (await (await fetch(`${sb.url}/services/data/`)).json()) as Array<{ version: string }>;
    expect(listed.map((v) => v.version)).toEqual(Array.from({ length: 32 }, (_, i) => `${31 + i}.0`));
    expect((await api(sb, '/services/data/v31.0/limits')).status).toBe(200);
    const retired = await api(sb, '/services/data/v30.0/limits');
    expect([retired.status, errorOf(retired.body).errorCode]).toEqual([410, 'NOT_FOUND']);
    expect((await api(sb, '/services/data/v63.0/limits')).status).toBe(404);
  });

  // API-FACTS "OAuth": a JWT bearer assertion must be signed with the connected app's key.
  it('checks every JWT signature, also with no certificate given: it holds its own key pair', async () => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const body = `${part({ alg: 'RS256' })}.${part({ iss: 'sandbox-client-id', sub: 'integration@sandbox.example', aud: sb.url, exp: Math.floor(now / 1000) + 180 })}`;
    const garbage = await token(sb, {
      grant_type: JWT_BEARER,
      assertion: `${body}.${Buffer.from('not a signature').toString('base64url')}`,
    });
    expect([garbage.status, garbage.body.error]).toEqual([400, 'invalid_grant']);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const wrongKey = await token(sb, {
      grant_type: JWT_BEARER,
      assertion: `${body}.${sign('RSA-SHA256', Buffer.from(body), stranger).toString('base64url')}`,
    });
    expect(wrongKey.body.error).toBe('invalid_grant');
    const good = await token(sb, {
      grant_type: JWT_BEARER,
      assertion: `${body}.${sign('RSA-SHA256', Buffer.from(body), sb.jwtPrivateKey!).toString('base64url')}`,
    });
    expect(good.status).toBe(200);
  });

  // API-FACTS "OAuth": a session ends after the org's timeout without a call (two hours by default).
  it('ends a session two hours after its last call, and a call keeps it alive', async () => {
    const t = sb.issueToken();
    now += 110 * 60_000;
    expect((await api(sb, '/services/data/v62.0/limits', { token: t })).status).toBe(200);
    now += 110 * 60_000;
    expect((await api(sb, '/services/data/v62.0/limits', { token: t })).status).toBe(200);
    now += 121 * 60_000;
    const idle = await api(sb, '/services/data/v62.0/limits', { token: t });
    expect([idle.status, idle.body]).toEqual([401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]]);
  });

  // API-FACTS "Query": OFFSET at most 2,000; WHERE and ORDER BY only on filterable/sortable fields.
  it('refuses OFFSET over 2,000 and filtering or sorting on fields the describe marks otherwise', async () => {
    expect((await soql(sb, 'SELECT Id FROM Lead ORDER BY Id LIMIT 5 OFFSET 2000')).status).toBe(200);
    const far = await soql(sb, 'SELECT Id FROM Lead ORDER BY Id LIMIT 5 OFFSET 2001');
    expect([far.status, errorOf(far.body)]).toEqual([
      400,
      { message: 'Maximum SOQL offset allowed is 2000', errorCode: 'NUMBER_OUTSIDE_VALID_RANGE' },
    ]);
    const filtered = await soql(sb, "SELECT Id FROM Lead WHERE Description = 'x'");
    expect([filtered.status, errorOf(filtered.body)]).toEqual([
      400,
      { message: "field 'Description' can not be filtered in a query call", errorCode: 'INVALID_FIELD' },
    ]);
    const sorted = await soql(sb, 'SELECT Id FROM Lead ORDER BY Description');
    expect(errorOf(sorted.body)).toEqual({ message: "field 'Description' can not be sorted in a query call", errorCode: 'INVALID_FIELD' });
    const describe = (await api(sb, '/services/data/v62.0/sobjects/Lead/describe')).body as { fields: Array<Record<string, unknown>> };
    expect(describe.fields.find((f) => f.name === 'Description')).toMatchObject({ filterable: false, sortable: false });
    expect(describe.fields.find((f) => f.name === 'Email')).toMatchObject({ filterable: true, sortable: true });
  });

  // API-FACTS "Describe": restrictedPicklist tells whether values outside the list are refused.
  it('refuses values outside a restricted picklist only', async () => {
    const [a, b] = sb.records('Lead', 10, 2);
    const res = await api(sb, '/services/data/v62.0/composite/sobjects', {
      method: 'PATCH',
      body: JSON.stringify({
        allOrNone: false,
        records: [
          { attributes: { type: 'Lead' }, id: a.Id, LeadSource: 'Trade Show' },
          { attributes: { type: 'Lead' }, id: b.Id, Plan__c: 'Premium' },
        ],
      }),
    });
    expect((res.body as SaveResult[]).map((r) => (r.success ? 'ok' : r.errors[0].statusCode))).toEqual([
      'ok',
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    ]);
    expect(sb.get(a.Id)!.LeadSource).toBe('Trade Show');
    const describe = (await api(sb, '/services/data/v62.0/sobjects/Lead/describe')).body as { fields: Array<Record<string, unknown>> };
    const restricted = Object.fromEntries(describe.fields.filter((f) => f.type === 'picklist').map((f) => [f.name, f.restrictedPicklist]));
    expect(restricted).toEqual({ LeadSource: false, Plan__c: true, Status: false });
  });

  // API-FACTS "Ids and names": sObject names are case-insensitive; 15- and 18-character Ids both work.
  it('takes lower-case sObject names and 15-character Ids', async () => {
    const [lead] = sb.records('Lead', 20, 1);
    const id15 = lead.Id.slice(0, 15);
    const q = await soql(sb, `select Id, Email from lead where Id = '${id15}'`);
    expect(
      (q.body as { records: Array<{ Id: string; attributes: { type: string } }> }).records.map((r) => [r.attributes.type, r.Id]),
    ).toEqual([['Lead', lead.Id]]);
    const after = await soql(sb, `SELECT Id FROM Lead WHERE Id > '${id15}' ORDER BY Id LIMIT 1`);
    expect((after.body as { records: Array<{ Id: string }> }).records[0].Id > lead.Id).toBe(true);
    expect(((await api(sb, `/services/data/v62.0/sobjects/lead/${id15}`)).body as { Id: string }).Id).toBe(lead.Id);
    expect((await api(sb, '/services/data/v62.0/sobjects/contact/describe')).status).toBe(200);
    const res = await api(sb, '/services/data/v62.0/composite/sobjects', {
      method: 'PATCH',
      body: JSON.stringify({ allOrNone: false, records: [{ attributes: { type: 'lead' }, id: id15, Title: 'Short Id' }] }),
    });
    expect(res.body).toEqual([{ id: lead.Id, success: true, errors: [] }]);
    expect(sb.get(lead.Id)!.Title).toBe('Short Id');
  });

  // API-FACTS "Converted Leads": readable, IsConverted true, never updated again.
  it('converts a Lead: a new Contact, IsConverted, and CANNOT_UPDATE_CONVERTED_LEAD on every later update', async () => {
    const [lead] = sb.records('Lead', 30, 1);
    const { contact } = sb.convertLead(lead.Id);
    expect(sb.get(lead.Id)).toMatchObject({
      IsConverted: true,
      ConvertedContactId: contact.Id,
      Status: 'Closed - Converted',
      ConvertedDate: '2025-03-03',
    });
    expect(contact).toMatchObject({ LastName: lead.LastName, Email: lead.Email });
    const res = await api(sb, '/services/data/v62.0/composite/sobjects', {
      method: 'PATCH',
      body: JSON.stringify({ allOrNone: false, records: [{ attributes: { type: 'Lead' }, id: lead.Id, Title: 'Too late' }] }),
    });
    expect(res.body).toEqual([
      {
        id: lead.Id,
        success: false,
        errors: [{ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead', fields: [] }],
      },
    ]);
    const single = await api(sb, `/services/data/v62.0/sobjects/Lead/${lead.Id}`, {
      method: 'PATCH',
      body: JSON.stringify({ Title: 'Too late' }),
    });
    expect([single.status, errorOf(single.body).errorCode]).toEqual([400, 'CANNOT_UPDATE_CONVERTED_LEAD']);
    const q = await soql(sb, `SELECT Id, IsConverted FROM Lead WHERE IsConverted = true`);
    expect((q.body as { records: Array<{ Id: string }> }).records.map((r) => r.Id)).toEqual([lead.Id]);
    expect(() => sb.convertLead(lead.Id)).toThrow(/converted already/);
  });

  // API-FACTS "Describe": a real org has custom fields; an admin may add and delete them.
  it('serves a custom field once defined, and refuses it everywhere once deleted', async () => {
    const [a, b] = sb.records('Contact', 0, 2);
    sb.defineField('Contact', spec({ name: 'Region__c', type: 'picklist', length: 255, picklist: ['EMEA', 'AMER'], restricted: false }));
    const describe = (await api(sb, '/services/data/v62.0/sobjects/Contact/describe')).body as { fields: Array<Record<string, unknown>> };
    expect(describe.fields.find((f) => f.name === 'Region__c')).toMatchObject({
      type: 'picklist',
      custom: true,
      restrictedPicklist: false,
    });
    const write = (records: unknown[]) =>
      api(sb, '/services/data/v62.0/composite/sobjects', { method: 'PATCH', body: JSON.stringify({ allOrNone: false, records }) });
    const ok = await write([{ attributes: { type: 'Contact' }, id: a.Id, Region__c: 'APAC' }]);
    expect((ok.body as SaveResult[])[0].success).toBe(true);
    expect(sb.get(a.Id)!.Region__c).toBe('APAC');
    sb.deleteField('Contact', 'Region__c');
    const refused = await write([
      { attributes: { type: 'Contact' }, id: b.Id, Title: 'Kept' },
      { attributes: { type: 'Contact' }, id: a.Id, Region__c: 'EMEA' },
    ]);
    expect([refused.status, errorOf(refused.body)]).toEqual([
      400,
      { message: "No such column 'Region__c' on sobject of type Contact", errorCode: 'INVALID_FIELD' },
    ]);
    expect(sb.get(b.Id)!.Title).not.toBe('Kept');
    expect(errorOf((await soql(sb, 'SELECT Region__c FROM Contact')).body).errorCode).toBe('INVALID_FIELD');
    expect(() => sb.deleteField('Contact', 'Email')).toThrow(/standard field/);
  });
});
