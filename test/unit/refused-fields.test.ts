import { describe, expect, it } from 'vitest';
import { RefusedFields, withoutRefused } from '../../actors/refused-fields.ts';

describe('fields Salesforce refused for a whole call', () => {
  it('leaves them out of every record of their object, and records with nothing else out of the call', () => {
    const refused = (o: string, f: string) => o === 'Lead' && f === 'Region__c';
    const plan = withoutRefused(
      [
        { type: 'Lead', id: 'l1', fields: { Region__c: 'EMEA' } },
        { type: 'Lead', id: 'l2', fields: { Region__c: 'AMER', Title: 'T' } },
        { type: 'Contact', id: 'c1', fields: { Region__c: 'APAC' } },
        { type: 'Lead', id: 'l3', fields: { Title: 'U' } },
      ],
      refused,
    );
    expect(plan.sendable).toEqual([
      { type: 'Lead', id: 'l2', fields: { Title: 'T' } },
      { type: 'Contact', id: 'c1', fields: { Region__c: 'APAC' } },
      { type: 'Lead', id: 'l3', fields: { Title: 'U' } },
    ]);
    expect(plan.at).toEqual([-1, 0, 1, 2]);
    expect(plan.dropped).toEqual([['Region__c'], ['Region__c'], [], []]);
  });

  it('remembers a refusal for a while, whatever the case of the names', () => {
    let now = 0;
    const r = new RefusedFields(60_000, () => now);
    r.add('Lead', 'Region__c');
    expect([r.has('lead', 'region__c'), r.has('Contact', 'Region__c')]).toEqual([true, false]);
    now = 60_001;
    expect(r.has('Lead', 'Region__c')).toBe(false);
  });
});
