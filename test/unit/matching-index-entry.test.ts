import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { IcContact } from '../../connectors/index.ts';
import {
  changedAttributes,
  entryFor,
  entryKey,
  fromKeyToken,
  mattersToSalesforce,
  sameIndexed,
  indexKeys,
  keyToken,
  linkKeys,
  matchKeyOf,
  normaliseKeyValue,
  recordKey,
  sfFieldsFor,
  slimContact,
} from '../../actors/matching/index.ts';
import { DEFAULT_MAPPINGS, defaultSettings, readIcAttribute } from '../../actors/mapping/index.ts';
import { generatePeople } from '../../sandbox/index.ts';

const KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;

const contact: IcContact = {
  type: 'contact',
  id: '65f0c0ffee00000000000001',
  role: 'user',
  email: ' Ann@Example.COM',
  external_id: 'C-7 ',
  phone: '+1 555',
  name: 'Ann',
  custom_attributes: { plan: 'Pro', score: 3 },
  created_at: 1,
  updated_at: 200,
  signed_up_at: null,
  last_seen_at: 5,
  unsubscribed_from_emails: false,
  tags: { type: 'list', data: [{ id: 't1' }] },
  location: { city: 'Paris' },
  social_profiles: [{ name: 'x' }],
};

describe('identity index entries', () => {
  it('keep every scalar field and the custom attributes, and drop nested objects', () => {
    const slim = slimContact(contact);
    expect(slim).toEqual({
      type: 'contact',
      id: contact.id,
      role: 'user',
      email: ' Ann@Example.COM',
      external_id: 'C-7 ',
      phone: '+1 555',
      name: 'Ann',
      custom_attributes: { plan: 'Pro', score: 3 },
      created_at: 1,
      updated_at: 200,
      signed_up_at: null,
      last_seen_at: 5,
      unsubscribed_from_emails: false,
    });
    expect(slim.custom_attributes).not.toBe(contact.custom_attributes);
  });

  it('hold what every default mapping reads from the contact', () => {
    let checked = 0;
    for (const p of generatePeople({ seed: 5, people: 60 })) {
      for (const c of p.intercom ?? []) {
        const e = entryFor(c, matchKeyOf('email'), 0);
        for (const m of DEFAULT_MAPPINGS) {
          expect(readIcAttribute(e.contact, m.icAttribute)).toEqual(readIcAttribute(c, m.icAttribute));
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('carry the normalised email, the match-key value and when they were written', () => {
    const byEmail = entryFor(contact, matchKeyOf('email'), 1_000);
    expect(byEmail).toMatchObject({
      id: contact.id,
      role: 'user',
      email: 'ann@example.com',
      keyAttr: null,
      matchKey: null,
      updatedAt: 200,
      indexedAt: 1_000,
    });
    const key = matchKeyOf({ icAttribute: 'external_id', sfField: 'Customer_Id__c' });
    const byAttr = entryFor(contact, key, 1_000);
    expect(byAttr).toMatchObject({ keyAttr: 'external_id', matchKey: 'C-7' });
    expect(entryKey(byAttr, key)).toBe('C-7');
    // Indexed for another attribute: no key until refreshed.
    expect(entryKey(byAttr, matchKeyOf({ icAttribute: 'custom_attributes.plan', sfField: 'Plan__c' }))).toBeNull();
    expect(recordKey({ Id: '003000000000001AAA', Customer_Id__c: ' C-7' }, key)).toBe('C-7');
    expect(recordKey({ Id: '003000000000001AAA', Email: 42 }, matchKeyOf('email'))).toBeNull();
  });

  it('count as unchanged only when every value is the same, since updated_at is whole seconds', () => {
    const key = matchKeyOf('email');
    const a = entryFor(contact, key, 1);
    expect(sameIndexed(a, entryFor({ ...contact, custom_attributes: { score: 3, plan: 'Pro' } }, key, 2))).toBe(true);
    expect(sameIndexed(a, entryFor({ ...contact, custom_attributes: { plan: 'Team', score: 3 } }, key, 2))).toBe(false);
    expect(sameIndexed(a, entryFor({ ...contact, updated_at: 201 }, key, 2))).toBe(false);
    expect(sameIndexed(a, entryFor({ ...contact, email: 'other@example.com' }, key, 2))).toBe(false);
  });

  it("tell a change that matters to Salesforce from the writer's own update coming back", () => {
    const key = matchKeyOf('email');
    const before = entryFor(contact, key, 1);
    const after = (over: Partial<IcContact>) => entryFor({ ...contact, updated_at: 300, ...over }, key, 2);
    const withCustom = (ca: Record<string, unknown>) => after({ custom_attributes: { ...contact.custom_attributes, ...ca } });
    expect([...changedAttributes(before.contact, withCustom({ plan: 'Team', city: 'Oslo' }).contact)].sort()).toEqual([
      'custom_attributes.city',
      'custom_attributes.plan',
    ]);
    const m = DEFAULT_MAPPINGS;
    // plan and phone flow into Salesforce; job_title and city flow out of it.
    expect(mattersToSalesforce(before, withCustom({ plan: 'Team' }), m)).toBe(true);
    expect(mattersToSalesforce(before, after({ phone: '+1 999' }), m)).toBe(true);
    expect(mattersToSalesforce(before, withCustom({ job_title: 'CTO', city: 'Oslo' }), m)).toBe(false);
    expect(mattersToSalesforce(before, after({}), m)).toBe(false);
    // Who it matches changed, or it is new: always.
    expect(mattersToSalesforce(before, after({ email: 'new@example.com' }), m)).toBe(true);
    expect(mattersToSalesforce(before, after({ role: 'lead' }), m)).toBe(true);
    expect(mattersToSalesforce(null, before, m)).toBe(true);
  });

  it('normalise key values by NFC and trimming, keeping case', () => {
    expect(normaliseKeyValue(' Ab-1 ')).toBe('Ab-1');
    expect(normaliseKeyValue('e\u0301')).toBe('\u00e9');
    expect(normaliseKeyValue(12)).toBe('12');
    expect(normaliseKeyValue('  ')).toBeNull();
    expect(normaliseKeyValue({ a: 1 })).toBeNull();
    expect(normaliseKeyValue(Number.NaN)).toBeNull();
  });
});

describe('KV keys', () => {
  it('only ever use the characters JetStream allows, for any id, email or value', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (id, value) => {
        for (const k of [
          indexKeys.contact('ws1', id),
          indexKeys.lookup('ws1', 'e', value),
          indexKeys.page('ws1', id, 3),
          linkKeys.sf('ws1', id),
          linkKeys.ic('ws1', id),
        ]) {
          expect(k).toMatch(KV_KEY);
        }
        expect(fromKeyToken(keyToken(id))).toBe(id);
      }),
    );
  });

  it('keep plain ids readable and tell encoded ones apart', () => {
    expect(indexKeys.contact('ws1', '65f0c0ffee00000000000001')).toBe('ws1.c.65f0c0ffee00000000000001');
    expect(linkKeys.sf('ws1', '003000000000001AAA')).toBe('ws1.sf.003000000000001AAA');
    expect(keyToken('a.b')).toMatch(/^=/);
    expect(indexKeys.lookup('ws1', 'e', 'ann@example.com')).not.toBe(indexKeys.lookup('ws1', 'e', 'ann@example.co'));
  });
});

describe('Salesforce fields matching reads', () => {
  it('are Id, Email, SystemModstamp, IsConverted of a Lead, the mapped fields of the object and the match-key field, once each', () => {
    const s = defaultSettings();
    const lead = sfFieldsFor('Lead', s, matchKeyOf('email'));
    expect(lead.slice(0, 4)).toEqual(['Id', 'Email', 'SystemModstamp', 'IsConverted']);
    expect(new Set(lead)).toEqual(
      new Set(['Id', 'Email', 'SystemModstamp', 'IsConverted', ...s.mappings.filter((m) => m.sfObject === 'Lead').map((m) => m.sfField)]),
    );
    expect(sfFieldsFor('Contact', s, matchKeyOf('email'))).not.toContain('IsConverted');
    expect(lead).toHaveLength(new Set(lead).size);
    expect(sfFieldsFor('Contact', s, matchKeyOf({ icAttribute: 'external_id', sfField: 'Customer_Id__c' }))).toContain('Customer_Id__c');
  });
});
