// sObject Collections updates in the sandbox: per-record validation codes, whole calls refused
// for a request that is not well formed, allOrNone, the 200-record and 10-chunk caps, whole-second
// modstamps, validation rules, lock failures, and the admin record routes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SObjectRecord as SfRecord, SaveResult as SfRecordResult } from '../../sandbox/salesforce/index.ts';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { api } from './salesforce-helpers.ts';

const patch = (sb: SalesforceSandbox, records: unknown[], allOrNone = false) =>
  api(sb, '/services/data/v62.0/composite/sobjects', { method: 'PATCH', body: JSON.stringify({ allOrNone, records }) });
const lead = (id: string, fields: Record<string, unknown>) => ({ attributes: { type: 'Lead' }, id, ...fields });
const admin = async (sb: SalesforceSandbox, path: string, method = 'GET', body?: unknown) => {
  const res = await fetch(`${sb.url}/__admin/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('Salesforce sandbox writes', () => {
  let sb: SalesforceSandbox;
  let leads: SfRecord[];
  const dir = mkdtempSync(join(tmpdir(), 'sf-writes-'));

  beforeAll(async () => {
    sb = await startSalesforceSandbox({ seed: { seed: 5, people: 1200, icOnlyShare: 0, leadShare: 1, bothShare: 0 } });
    leads = sb.records('Lead');
  });
  afterAll(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every per-record validation code, in order, and leaves failed records alone', async () => {
    const [a, b, c, d, e, , g, h, i] = leads.map((r) => r.Id);
    sb.delete(leads[9].Id);
    const before = sb.get(a)!;
    const res = await patch(sb, [
      lead(a, { City: 'x'.repeat(41) }),
      lead(b, { Email: 'not-an-email' }),
      lead(c, { Plan__c: 'Premium' }),
      lead(d, { LastName: null }),
      lead(e, { SystemModstamp: '2024-01-01T00:00:00.000+0000' }),
      lead(leads[9].Id, { Title: 'x' }),
      lead('00Q999999999999AAA', { Title: 'x' }),
      lead(h, { Score__c: 1e17 }),
      { attributes: { type: 'Contact' }, id: i, Title: 'x' },
      lead(i, { Score__c: 12.345, Title: 'VP' }),
      lead(g, { Score__c: '7.5' }),
    ]);
    expect(res.status).toBe(200);
    const results = res.body as SfRecordResult[];
    expect(results.map((r) => (r.success ? 'ok' : r.errors[0].statusCode))).toEqual([
      'STRING_TOO_LONG',
      'INVALID_EMAIL_ADDRESS',
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      'REQUIRED_FIELD_MISSING',
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      'ENTITY_IS_DELETED',
      'INVALID_CROSS_REFERENCE_KEY',
      'NUMBER_OUTSIDE_VALID_RANGE',
      'MALFORMED_ID',
      'ok',
      'ok',
    ]);
    expect(results[0].errors[0]).toEqual({
      statusCode: 'STRING_TOO_LONG',
      message: `City: data value too large: ${'x'.repeat(41)} (max length=40)`,
      fields: ['City'],
    });
    expect(results.map((r) => r.id)).toEqual([a, b, c, d, e, leads[9].Id, '00Q999999999999AAA', h, i, i, g]);
    expect(sb.get(a)).toEqual(before);
    expect(sb.get(i)!.Score__c).toBe(12.35);
    // A number sent as text is read as the number it spells.
    expect(sb.get(g)!.Score__c).toBe(7.5);
  });

  // API-FACTS "Writes": a request that is not well formed is refused whole with 400 and a
  // top-level error (salesforce/write_error_response.json), before any record is looked at.
  it('refuses the whole call for a field the object lacks or a value that cannot be of its type', async () => {
    const [f, g, k] = [leads[5].Id, leads[7].Id, leads[8].Id];
    const before = [sb.get(f), sb.get(g), sb.get(k)];
    const unknown = await patch(sb, [lead(k, { Title: 'Fine' }), lead(f, { Nope__c: 1 })]);
    expect([unknown.status, unknown.body]).toEqual([
      400,
      [{ message: "No such column 'Nope__c' on sobject of type Lead", errorCode: 'INVALID_FIELD' }],
    ]);
    const records = [lead(k, { Title: 'abc' }), lead(g, { Score__c: 'abc' })];
    const wrongType = await patch(sb, records);
    expect(wrongType.status).toBe(400);
    const [refusal] = wrongType.body as Array<{ message: string; errorCode: string }>;
    const m =
      /^Cannot deserialize instance of double from VALUE_STRING value abc or request may be missing a required field at \[line:1, column:(\d+)\]$/.exec(
        refusal.message,
      );
    expect([refusal.errorCode, m !== null]).toEqual(['JSON_PARSER_ERROR', true]);
    // The position is that of the value the parser could not read, not of the same text earlier.
    const sent = JSON.stringify({ allOrNone: false, records });
    expect(sent.slice(Number(m![1]) - 1)).toMatch(/^"abc"}]}$/);
    const array = await patch(sb, [lead(g, { Title: ['a'] })]);
    expect((array.body as Array<{ errorCode: string }>)[0].errorCode).toBe('JSON_PARSER_ERROR');
    const notBoolean = await patch(sb, [lead(g, { HasOptedOutOfEmail: 'yes' })]);
    expect((notBoolean.body as Array<{ message: string }>)[0].message).toMatch(
      /^Cannot deserialize instance of boolean from VALUE_STRING value yes/,
    );
    // Nothing of a refused call is written, not even the well-formed record beside the bad one.
    expect([sb.get(f), sb.get(g), sb.get(k)]).toEqual(before);
  });

  // API-FACTS "Writes": at most 10 chunks (runs of one type) per call.
  it('refuses a call of more than 10 chunks and takes one of 10', async () => {
    const contacts = await startSalesforceSandbox({ seed: { seed: 6, people: 40, icOnlyShare: 0, leadShare: 0.5, bothShare: 0 } });
    try {
      const ls = contacts.records('Lead').slice(0, 6);
      const cs = contacts.records('Contact').slice(0, 6);
      const rec = (r: SfRecord, type: string) => ({ attributes: { type }, id: r.Id, Title: 'Chunked' });
      const alternating = (n: number) =>
        Array.from({ length: n }, (_, j) => (j % 2 ? rec(cs[j >> 1], 'Contact') : rec(ls[j >> 1], 'Lead')));
      const eleven = await api(contacts, '/services/data/v62.0/composite/sobjects', {
        method: 'PATCH',
        body: JSON.stringify({ allOrNone: false, records: alternating(11) }),
      });
      expect(eleven.status).toBe(400);
      expect((eleven.body as Array<{ message: string }>)[0].message).toBe(
        'Cannot have more than 10 chunks in a single operation. Please rearrange the data to reduce chunking.',
      );
      expect(contacts.get(ls[0].Id)!.Title).not.toBe('Chunked');
      const ten = await api(contacts, '/services/data/v62.0/composite/sobjects', {
        method: 'PATCH',
        body: JSON.stringify({ allOrNone: false, records: alternating(10) }),
      });
      expect((ten.body as SfRecordResult[]).every((r) => r.success)).toBe(true);
    } finally {
      await contacts.close();
    }
  });

  it('rolls every record back under allOrNone', async () => {
    const [a, b] = [leads[20].Id, leads[21].Id];
    const before = [sb.get(a), sb.get(b)];
    const res = await patch(sb, [lead(a, { Title: 'Boss' }), lead(b, { Email: 'bad' })], true);
    const results = res.body as SfRecordResult[];
    expect(results.map((r) => r.errors[0]?.statusCode)).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'INVALID_EMAIL_ADDRESS']);
    expect([sb.get(a), sb.get(b)]).toEqual(before);
  });

  it('takes 200 records in one call and refuses 201', async () => {
    const batch = leads.slice(100, 301).map((r) => lead(r.Id, { Title: 'Batch' }));
    const over = await patch(sb, batch);
    expect(over.status).toBe(400);
    expect(over.body).toEqual([
      { message: 'record limit reached. cannot submit more than 200 records into this call', errorCode: 'EXCEEDED_ID_LIMIT' },
    ]);
    const ok = await patch(sb, batch.slice(0, 200));
    expect((ok.body as SfRecordResult[]).every((r) => r.success)).toBe(true);
  });

  // API-FACTS "Query": SystemModstamp has whole seconds, so many records share one value.
  it('stamps one write with one whole-second SystemModstamp; writes in one second share it, a later second is later', async () => {
    let now = Date.UTC(2025, 0, 1, 12, 0, 0, 250);
    const timed = await startSalesforceSandbox({ now: () => now, seed: { seed: 5, people: 20, icOnlyShare: 0, leadShare: 1 } });
    try {
      const rows = timed.records('Lead');
      const ids = rows.slice(0, 5).map((r) => r.Id);
      await patch(
        timed,
        ids.map((id) => lead(id, { Title: 'One' })),
      );
      const first = ids.map((id) => timed.get(id)!);
      expect(new Set(first.map((r) => r.SystemModstamp)).size).toBe(1);
      expect(first[0].SystemModstamp).toBe('2025-01-01T12:00:00.000+0000');
      expect(first[0].LastModifiedDate).toBe(first[0].SystemModstamp);
      expect(first[0].SystemModstamp! > rows[0].SystemModstamp!).toBe(true);
      now += 400;
      const sameSecond = timed.userUpdate(ids[1], { City: 'Lyon' });
      expect(sameSecond.SystemModstamp).toBe(first[0].SystemModstamp);
      now += 1_000;
      await patch(timed, [lead(ids[0], { Title: 'Two' })]);
      expect(timed.get(ids[0])!.SystemModstamp! > first[0].SystemModstamp!).toBe(true);
      now += 1_000;
      const user = timed.userUpdate(ids[1], { City: 'Paris' });
      expect(user.SystemModstamp! > timed.get(ids[0])!.SystemModstamp!).toBe(true);
    } finally {
      await timed.close();
    }
  });

  it('fails records under a validation rule until the rule or the value changes', async () => {
    const id = leads[500].Id;
    const rule = { name: 'no-interns', field: 'Title', matches: '^Intern', message: 'Titles may not start with Intern' };
    expect((await admin(sb, 'rules', 'POST', rule)).status).toBe(200);
    const failed = (await patch(sb, [lead(id, { Title: 'Intern of the year' })])).body as SfRecordResult[];
    expect(failed[0].errors).toEqual([
      { statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Titles may not start with Intern', fields: ['Title'] },
    ]);
    const other = (await patch(sb, [lead(id, { Title: 'Engineer' })])).body as SfRecordResult[];
    expect(other[0].success).toBe(true);
    await admin(sb, 'rules?name=no-interns', 'DELETE');
    const fixed = (await patch(sb, [lead(id, { Title: 'Intern of the year' })])).body as SfRecordResult[];
    expect(fixed[0].success).toBe(true);
    expect((await admin(sb, 'rules', 'POST', { field: 'Nope', message: 'x' })).status).toBe(400);
  });

  it('fails chosen records with UNABLE_TO_LOCK_ROW the given number of times', async () => {
    const [a, b] = [leads[600].Id, leads[601].Id];
    sb.setFaults({ lockRowIds: { [a]: 2 } });
    for (const expected of ['UNABLE_TO_LOCK_ROW', 'UNABLE_TO_LOCK_ROW', undefined]) {
      const results = (await patch(sb, [lead(a, { Title: 'L' }), lead(b, { Title: 'L' })])).body as SfRecordResult[];
      expect([results[0].errors[0]?.statusCode, results[1].success]).toEqual([expected, true]);
    }
    sb.clearFaults();
  });

  it('changes, creates, deletes, dumps and loads records through /__admin', async () => {
    const id = leads[700].Id;
    const before = sb.get(id)!;
    const changed = await admin(sb, `records/${id}`, 'PATCH', { Title: 'Changed by a user' });
    expect(changed.body.Title).toBe('Changed by a user');
    expect(String(changed.body.SystemModstamp) > String(before.SystemModstamp)).toBe(true);
    expect((await admin(sb, `records/${id}`, 'PATCH', { Email: 'nope' })).status).toBe(400);
    const created = await admin(sb, 'records', 'POST', { type: 'Lead', fields: { LastName: 'New', Company: 'Acme' } });
    expect(String(created.body.Id) > leads[leads.length - 1].Id).toBe(true);
    expect((await admin(sb, `records/${String(created.body.Id)}`)).body.Status).toBe('Open - Not Contacted');
    expect((await admin(sb, `records/${String(created.body.Id)}`, 'DELETE')).status).toBe(200);
    const listed = await admin(sb, 'records?object=Lead&offset=0&limit=3');
    expect((listed.body.records as SfRecord[]).map((r) => r.Id)).toEqual(sb.records('Lead', 0, 3).map((r) => r.Id));

    const path = join(dir, 'dump.ndjson');
    const dumped = await admin(sb, 'dump', 'POST', { path });
    const copy = await startSalesforceSandbox({ ndjsonPath: path });
    try {
      expect(copy.counts()).toEqual(sb.counts());
      expect(copy.get(id)).toEqual(sb.get(id));
      expect(dumped.body.written).toBe(sb.counts().Lead + sb.counts().Contact);
      const body = sb
        .records('Lead', 0, 2)
        .map((r) => JSON.stringify({ attributes: { type: 'Lead' }, ...r, Title: 'Loaded' }))
        .join('\n');
      const res = await fetch(`${copy.url}/__admin/load`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
      expect(await res.json()).toEqual({ loaded: 2 });
      expect(copy.records('Lead', 0, 1)[0].Title).toBe('Loaded');
      const bad = await fetch(`${copy.url}/__admin/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: '{"x":1}',
      });
      expect(((await bad.json()) as { error: string }).error).toMatch(/row 1/);
    } finally {
      await copy.close();
    }
  });

  it('lists changed Ids through getUpdated', async () => {
    const id = leads[800].Id;
    sb.userUpdate(id, { Title: 'Fresh' });
    const start = new Date(Date.now() - 3_600_000).toISOString();
    const end = new Date(Date.now() + 120_000).toISOString();
    const res = await api(
      sb,
      `/services/data/v62.0/sobjects/Lead/updated/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`,
    );
    expect((res.body as { ids: string[] }).ids).toContain(id);
    const old = await api(sb, `/services/data/v62.0/sobjects/Lead/updated/?start=2020-01-01T00:00:00Z&end=${encodeURIComponent(end)}`);
    expect((old.body as Array<{ errorCode: string }>)[0].errorCode).toBe('INVALID_REPLICATION_DATE');
  });
});
