// Writing through the Salesforce connector: the 200-record cap, one chunk per object, per-record
// failures, whole calls refused for one field, retries of lock failures (only the locked
// records), of 5xx answers and of dropped connections.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FieldRefusedError } from '../../connectors/errors.ts';
import type { SfRecord, SfRecordUpdate } from '../../connectors/types.ts';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/index.ts';
import { CLIENT_ID, CLIENT_SECRET, clientFor } from './salesforce-helpers.ts';

const up = (r: SfRecord, fields: Record<string, unknown>): SfRecordUpdate => ({ type: 'Lead', id: r.Id, fields });

describe('Salesforce connector writes', () => {
  let sb: SalesforceSandbox;
  let leads: SfRecord[];
  beforeAll(async () => {
    sb = await startSalesforceSandbox({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      seed: { seed: 4, people: 1500, icOnlyShare: 0, leadShare: 1, bothShare: 0 },
    });
    leads = sb.records('Lead');
  });
  beforeEach(() => {
    sb.clearFaults();
    sb.clearRules();
    sb.resetStats();
  });
  afterAll(() => sb.close());

  it('sends 200 updates in one call and refuses 201 before calling', async () => {
    const { client, calls } = clientFor(sb);
    const results = await client.update(leads.slice(0, 200).map((r) => up(r, { Title: 'Two hundred' })));
    expect(results.map((r) => r.id)).toEqual(leads.slice(0, 200).map((r) => r.Id));
    expect(results.every((r) => r.success)).toBe(true);
    expect(sb.stats().byKind.update).toBe(1);
    const before = calls.length;
    await expect(client.update(leads.slice(0, 201).map((r) => up(r, { Title: 'x' })))).rejects.toMatchObject({ kind: 'invalid' });
    expect(calls.length).toBe(before);
    expect(sb.stats().byKind.update).toBe(1);
    expect(await client.update([])).toEqual([]);
  });

  it("returns each record's own failure code, in order", async () => {
    const { client } = clientFor(sb);
    sb.addRule({ field: 'Title', equals: 'Forbidden', message: 'That title is not allowed' });
    const results = await client.update([
      up(leads[0], { City: 'c'.repeat(41) }),
      up(leads[1], { Email: 'broken@' }),
      up(leads[2], { Plan__c: 'Premium' }),
      up(leads[3], { Company: null }),
      up(leads[4], { CreatedDate: '2020-01-01T00:00:00Z' }),
      up(leads[6], { Title: 'Forbidden' }),
      up(leads[7], { Phone: '+1 555 0100' }),
    ]);
    expect(results.map((r) => (r.success ? 'ok' : r.errors[0].statusCode))).toEqual([
      'STRING_TOO_LONG',
      'INVALID_EMAIL_ADDRESS',
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      'REQUIRED_FIELD_MISSING',
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      'ok',
    ]);
    expect(results[5].errors[0]).toEqual({
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'That title is not allowed',
      fields: ['Title'],
    });
    sb.clearRules();
    const fixed = await client.update([up(leads[6], { Title: 'Forbidden' })]);
    expect(fixed[0].success).toBe(true);
  });

  // API-FACTS "Writes": a field the object lacks, or a value its type cannot take, refuses the
  // whole call (400, one top-level error); the connector names the field.
  it('names the field when a whole call is refused for it', async () => {
    const { client } = clientFor(sb);
    const unknown = await client.update([up(leads[8], { Title: 'Fine' }), up(leads[5], { Unknown__c: 'x' })]).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(FieldRefusedError);
    expect(unknown).toMatchObject({ code: 'INVALID_FIELD', object: 'Lead', field: 'Unknown__c', fields: ['Unknown__c'], retryable: false });
    const wrongType = await client
      .update([up(leads[8], { Score__c: 3, Title: 'abc' }), up(leads[9], { Score__c: 'abc' })])
      .catch((e: unknown) => e);
    expect(wrongType).toMatchObject({ name: 'FieldRefusedError', code: 'JSON_PARSER_ERROR', object: 'Lead', field: 'Score__c' });
    expect(sb.get(leads[8].Id)!.Title).not.toBe('Fine');
  });

  // API-FACTS "Writes": at most 10 chunks per call; records come grouped by object, so any mix goes.
  it('sends interleaved Leads and Contacts as one chunk per object, answering in the order given', async () => {
    const mixed = await startSalesforceSandbox({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      seed: { seed: 8, people: 60, icOnlyShare: 0, leadShare: 0.5, bothShare: 0 },
    });
    try {
      const { client } = clientFor(mixed);
      const ls = mixed.records('Lead').slice(0, 8);
      const cs = mixed.records('Contact').slice(0, 8);
      const updates: SfRecordUpdate[] = ls.flatMap((l, i) => [
        { type: 'Lead', id: l.Id, fields: { Title: `L${i}` } },
        { type: 'Contact', id: cs[i].Id, fields: { Title: `C${i}` } },
      ]);
      const results = await client.update(updates);
      expect(results.map((r) => [r.id, r.success])).toEqual(updates.map((u) => [u.id, true]));
      expect(mixed.get(cs[7].Id)!.Title).toBe('C7');
      expect(mixed.stats().byKind.update).toBe(1);
    } finally {
      await mixed.close();
    }
  });

  it('retries only the records that hit UNABLE_TO_LOCK_ROW', async () => {
    // Each call a second later, so the stamps tell which call wrote which record.
    const { client } = clientFor(sb, { onCall: (r) => r.kind === 'update' && sb.advanceClock(1_000) });
    const [a, b, c] = leads.slice(20, 23);
    sb.setFaults({ lockRowIds: { [b.Id]: 2 } });
    const results = await client.update([up(a, { Title: 'A' }), up(b, { Title: 'B' }), up(c, { Title: 'C' })]);
    expect(results.map((r) => [r.id, r.success])).toEqual([
      [a.Id, true],
      [b.Id, true],
      [c.Id, true],
    ]);
    expect(sb.stats().byKind.update).toBe(3);
    // a and c were written once, by the first call: b's final write came two calls later.
    expect(sb.get(a.Id)!.SystemModstamp).toBe(sb.get(c.Id)!.SystemModstamp);
    expect(sb.get(b.Id)!.SystemModstamp! > sb.get(a.Id)!.SystemModstamp!).toBe(true);
  });

  it('gives up on a record that stays locked, after the configured attempts', async () => {
    const { client } = clientFor(sb, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    sb.setFaults({ lockRowIds: { [leads[30].Id]: 10 } });
    const [r] = await client.update([up(leads[30], { Title: 'Never' })]);
    expect([r.success, r.errors[0].statusCode]).toEqual([false, 'UNABLE_TO_LOCK_ROW']);
    expect(sb.stats().byKind.update).toBe(3);
  });

  it('keeps the known results when a lock retry round itself fails', async () => {
    // Once the first update call has answered (b locked), every later call fails.
    const { client } = clientFor(sb, {
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      onCall: (r) => {
        if (r.kind === 'update') sb.setFaults({ errorNext: 10 });
      },
    });
    const [a, b] = leads.slice(50, 52);
    sb.setFaults({ lockRowIds: { [b.Id]: 1 } });
    const results = await client.update([up(a, { Title: 'Kept' }), up(b, { Title: 'Locked' })]);
    expect([results[0].success, results[1].success, results[1].errors[0]?.statusCode]).toEqual([true, false, 'UNABLE_TO_LOCK_ROW']);
    expect(sb.get(a.Id)!.Title).toBe('Kept');
  });

  it('retries a whole call after a 5xx answer or a dropped connection', async () => {
    const { client, calls } = clientFor(sb);
    sb.setFaults({ errorNext: 1 });
    expect((await client.update([up(leads[40], { Title: 'After 503' })]))[0].success).toBe(true);
    sb.setFaults({ dropNext: 1 });
    expect((await client.update([up(leads[41], { Title: 'After drop' })]))[0].success).toBe(true);
    expect(sb.get(leads[41].Id)!.Title).toBe('After drop');
    expect(calls.filter((c) => c.kind === 'update').map((c) => c.ok)).toEqual([false, true, false, true]);
  });

  it('refuses malformed updates before spending a call', async () => {
    const { client, calls } = clientFor(sb);
    const bad: unknown[] = [
      { type: 'Account', id: leads[0].Id, fields: {} },
      { type: 'Lead', id: 'nope', fields: {} },
      { type: 'Lead', id: leads[0].Id, fields: { Id: 'x' } },
      { type: 'Lead', id: leads[0].Id, fields: { 'Bad Name': 1 } },
    ];
    for (const u of bad) await expect(client.update([u as SfRecordUpdate])).rejects.toMatchObject({ kind: 'invalid' });
    expect(calls).toEqual([]);
  });
});
