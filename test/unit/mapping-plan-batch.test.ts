import { describe, expect, it } from 'vitest';
import type { IcDataAttribute, IcDataType, SfFieldDescribe, SfFieldType } from '../../connectors/types.ts';
import type { Mapping } from '../../protocol/settings.ts';
import {
  MAX_SAMPLES,
  batchKey,
  chunk,
  errorIdsFor,
  failedAttribute,
  failureCause,
  planBatch,
  type DiffContext,
  type Pair,
} from '../../actors/mapping/index.ts';

function sf(name: string, type: SfFieldType, extra: Partial<SfFieldDescribe> = {}): SfFieldDescribe {
  return { name, label: name, type, length: 0, updateable: true, createable: true, nillable: true, picklistValues: [], ...extra };
}
function custom(name: string, data_type: IcDataType): IcDataAttribute {
  return { name, full_name: `custom_attributes.${name}`, label: name, data_type, custom: true, archived: false, api_writable: true };
}
const plans = ['Free', 'Pro'].map((value) => ({ value, label: value, active: true, defaultValue: false }));
const fields = [
  sf('Id', 'id', { length: 18, updateable: false }),
  sf('Phone', 'phone', { length: 10 }),
  sf('Title', 'string', { length: 128 }),
  sf('Plan__c', 'picklist', { length: 255, picklistValues: plans }),
];
const ctx: DiffContext = {
  describe: { Lead: { name: 'Lead', fields }, Contact: { name: 'Contact', fields } },
  dataAttributes: [
    { name: 'phone', full_name: 'phone', label: 'Phone', data_type: 'string', custom: false, archived: false, api_writable: true },
    custom('job_title', 'string'),
    custom('plan', 'string'),
  ],
  tz: 'UTC',
};
const mappings: Mapping[] = [
  { id: 'title', sfObject: 'Lead', sfField: 'Title', icAttribute: 'custom_attributes.job_title', direction: 'salesforce_to_intercom' },
  { id: 'phone', sfObject: 'Lead', sfField: 'Phone', icAttribute: 'phone', direction: 'intercom_to_salesforce' },
  { id: 'plan', sfObject: 'Lead', sfField: 'Plan__c', icAttribute: 'custom_attributes.plan', direction: 'intercom_to_salesforce' },
];

const sfId = (i: number) => `00Q${String(i).padStart(15, '0')}`;
const icId = (i: number) => `ic${String(i).padStart(6, '0')}`;

/** A Lead pair: `sfv` Salesforce fields, `icv` Intercom phone and custom attributes. */
function pair(i: number, sfv: Record<string, unknown>, icv: { phone?: string | null; custom?: Record<string, unknown> }): Pair {
  return {
    object: 'Lead',
    sf: { Id: sfId(i), Title: null, Phone: null, Plan__c: null, ...sfv },
    ic: {
      id: icId(i),
      role: 'lead',
      email: `p${i}@example.com`,
      updated_at: 1,
      phone: icv.phone ?? null,
      custom_attributes: icv.custom ?? {},
    },
  };
}
const synced = (i: number) =>
  pair(i, { Title: 'CTO', Phone: '1', Plan__c: 'Pro' }, { phone: '1', custom: { job_title: 'CTO', plan: 'Pro' } });
const toSf = (i: number) =>
  pair(i, { Title: 'CTO', Phone: '1', Plan__c: 'Pro' }, { phone: '2', custom: { job_title: 'CTO', plan: 'Pro' } });
const toIc = (i: number) =>
  pair(i, { Title: 'CEO', Phone: '1', Plan__c: 'Pro' }, { phone: '1', custom: { job_title: 'CTO', plan: 'Pro' } });
const badPlan = (i: number) =>
  pair(i, { Title: 'CEO', Phone: '1', Plan__c: 'Pro' }, { phone: '2', custom: { job_title: 'CTO', plan: 'Premium' } });

describe('planBatch', () => {
  it('groups Salesforce updates and Intercom patches into parts of at most 200 records', () => {
    const pairs = [...Array.from({ length: 450 }, (_, i) => toSf(i)), ...Array.from({ length: 201 }, (_, i) => toIc(1000 + i))];
    const p = planBatch(pairs, mappings, ctx, { dryRun: false });
    expect(p.sfParts.map((x) => x.length)).toEqual([200, 200, 50]);
    expect(p.icParts.map((x) => x.length)).toEqual([200, 1]);
    expect(p.sfParts.flat().map((u) => u.id)).toEqual(Array.from({ length: 450 }, (_, i) => sfId(i)));
    expect(p.sfParts[0][0]).toEqual({
      object: 'Lead',
      id: sfId(0),
      icId: icId(0),
      fields: { Phone: '2' },
      changes: [{ attribute: 'Phone', from: '1', to: '2', direction: 'intercom_to_salesforce' }],
    });
    expect(p.icParts[0][0]).toEqual({
      id: icId(1000),
      sfObject: 'Lead',
      sfId: sfId(1000),
      patch: { custom_attributes: { job_title: 'CEO' } },
      changes: [{ attribute: 'custom_attributes.job_title', from: 'CTO', to: 'CEO', direction: 'salesforce_to_intercom' }],
    });
    expect(p).toMatchObject({ inCommon: 651, unchanged: 0, failed: 0, wouldUpdate: { salesforce: 0, intercom: 0 }, sample: [] });
  });

  it('counts synced pairs as unchanged and writes nothing for them', () => {
    const p = planBatch([synced(1), synced(2), toSf(3)], mappings, ctx, { dryRun: false });
    expect(p.sfParts.flat().map((u) => u.id)).toEqual([sfId(3)]);
    expect(p.icParts).toEqual([]);
    expect(p).toMatchObject({ inCommon: 3, unchanged: 2, failed: 0 });
  });

  it('reports a conversion failure per attribute and still writes the other attributes of the pair', () => {
    const p = planBatch([badPlan(7)], mappings, ctx, { dryRun: false });
    expect(p.failures).toHaveLength(1);
    const f = p.failures[0];
    expect(f.pair.sf.Id).toBe(sfId(7));
    expect(f.failure).toMatchObject({ mappingId: 'plan', cause: 'invalid_picklist_value', value: 'Premium', sfField: 'Plan__c' });
    expect(failureCause(f.failure.cause)).toBe('invalid_picklist_value');
    expect(failedAttribute(f.failure)).toBe('Plan__c');
    // Phone still goes to Salesforce, the title to Intercom.
    expect(p.sfParts[0][0].fields).toEqual({ Phone: '2' });
    expect(p.icParts[0][0].patch).toEqual({ custom_attributes: { job_title: 'CEO' } });
    expect(p).toMatchObject({ failed: 1, unchanged: 0 });
  });

  it('a too-long value fails as field_too_long and leaves the field out of the update', () => {
    const p = planBatch(
      [pair(1, { Title: 'CTO', Plan__c: 'Pro' }, { phone: '+1 555 0100 ext. 1234', custom: { job_title: 'CTO', plan: 'Pro' } })],
      mappings,
      ctx,
      { dryRun: false },
    );
    expect(p.failures.map((f) => failureCause(f.failure.cause))).toEqual(['field_too_long']);
    expect(p.sfParts).toEqual([]);
    expect(p.failed).toBe(1);
  });

  it('dry run: no parts, would-update counts and at most five samples of both directions', () => {
    const pairs = [synced(0), ...Array.from({ length: 6 }, (_, i) => toSf(1 + i)), toIc(9), badPlan(10)];
    const p = planBatch(pairs, mappings, ctx, { dryRun: true });
    expect(p.sfParts).toEqual([]);
    expect(p.icParts).toEqual([]);
    expect(p.wouldUpdate).toEqual({ salesforce: 7, intercom: 2 });
    expect(p.sample).toHaveLength(MAX_SAMPLES);
    expect(p.sample[0]).toEqual({
      sfObject: 'Lead',
      sfId: sfId(1),
      icId: icId(1),
      changes: [{ attribute: 'Phone', from: '1', to: '2', direction: 'intercom_to_salesforce' }],
    });
    expect(p).toMatchObject({ unchanged: 1, failed: 1 });
  });

  it('resolves both directions of a synced pair and only the clean direction of one still writing', () => {
    const p = planBatch([synced(1), toSf(2), toIc(3), badPlan(4)], mappings, ctx, { dryRun: false });
    expect(p.resolved).toEqual([
      { sfId: sfId(1), icId: icId(1), direction: null },
      { sfId: sfId(2), icId: icId(2), direction: 'salesforce_to_intercom' },
      { sfId: sfId(3), icId: icId(3), direction: 'intercom_to_salesforce' },
    ]);
  });

  it('pairs of an object without mappings are unchanged', () => {
    const contact: Pair = { ...synced(1), object: 'Contact', sf: { Id: '003000000000000001', Title: 'X' } };
    const p = planBatch([contact], mappings, ctx, { dryRun: false });
    expect(p).toMatchObject({ inCommon: 1, unchanged: 1, failed: 0, sfParts: [], icParts: [] });
  });
});

describe('batch helpers', () => {
  it('chunks keep order and refuse a size below one', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 200)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(/chunk size must be >= 1/);
  });

  it('failure causes: conversion causes map to sync-error causes, lookups to other', () => {
    expect(failureCause('field_too_long')).toBe('field_too_long');
    expect(failureCause('unparseable_number')).toBe('unparseable_value');
    expect(failureCause('required_value_missing')).toBe('required_field');
    expect(failureCause('invalid_email')).toBe('invalid_value');
    expect(failureCause('unknown_sf_field')).toBe('other');
    expect(failureCause('field_not_loaded')).toBe('other');
  });

  it('message-id keys: run for bulk, class otherwise; retry error ids only for one record', () => {
    expect(batchKey({ run: 'r1', batchId: 'Lead:0:1' }, 'bulk')).toBe('r1:Lead:0:1');
    expect(batchKey({ batchId: 'evt:abc' }, 'event')).toBe('event:evt:abc');
    expect(errorIdsFor({ errorIds: ['e1'] }, 1)).toEqual(['e1']);
    expect(errorIdsFor({ errorIds: ['e1'] }, 2)).toEqual([]);
  });
});
