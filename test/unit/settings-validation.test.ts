import { describe, expect, it } from 'vitest';
import type { IcDataAttribute, IcDataType, SfDescribe, SfFieldDescribe, SfFieldType } from '../../connectors/types.ts';
import { defaultSettings, validateSettings, type Problem, type ValidationContext } from '../../actors/mapping/index.ts';
import { SaveSettingsRequest, WorkspaceSettingsSchema } from '../../protocol/settings.ts';

// ---- the shared data model's describe and data attributes ---------------------------------------

function sf(name: string, type: SfFieldType, extra: Partial<SfFieldDescribe> = {}): SfFieldDescribe {
  return { name, label: name, type, length: 0, updateable: true, createable: true, nillable: true, picklistValues: [], ...extra };
}
const picklist = (...values: string[]) => values.map((value) => ({ value, label: value, active: true, defaultValue: false }));
const readOnly = { updateable: false, createable: false, nillable: false };

const bothObjects = [
  sf('Id', 'id', { length: 18, ...readOnly }),
  sf('FirstName', 'string', { length: 40 }),
  sf('LastName', 'string', { length: 80, nillable: false }),
  sf('Email', 'email', { length: 80 }),
  sf('Phone', 'phone', { length: 40 }),
  sf('Title', 'string', { length: 128 }),
  sf('Description', 'textarea', { length: 32000 }),
  sf('HasOptedOutOfEmail', 'boolean', { nillable: false }),
  sf('LeadSource', 'picklist', { length: 255, picklistValues: picklist('Web', 'Phone Inquiry', 'Partner Referral', 'Other') }),
  sf('Plan__c', 'picklist', { length: 255, picklistValues: picklist('Free', 'Starter', 'Pro', 'Enterprise') }),
  sf('Score__c', 'double', { precision: 18, scale: 2 }),
  sf('Trial_End__c', 'date'),
  sf('Last_Login__c', 'datetime'),
  sf('Intercom_Id__c', 'string', { length: 40 }),
  sf('Tags__c', 'multipicklist', { picklistValues: picklist('a', 'b') }),
  sf('CreatedDate', 'datetime', readOnly),
  sf('LastModifiedDate', 'datetime', readOnly),
  sf('SystemModstamp', 'datetime', readOnly),
];
const Lead: SfDescribe = {
  name: 'Lead',
  fields: [
    ...bothObjects,
    sf('Company', 'string', { length: 255, nillable: false }),
    sf('City', 'string', { length: 40 }),
    sf('Status', 'picklist', { length: 255, nillable: false, picklistValues: picklist('Open - Not Contacted', 'Working - Contacted') }),
    sf('NumberOfEmployees', 'int'),
    sf('AnnualRevenue', 'currency', { precision: 18, scale: 2 }),
  ],
};
const Contact: SfDescribe = {
  name: 'Contact',
  fields: [
    ...bothObjects,
    sf('Department', 'string', { length: 80 }),
    sf('MailingCity', 'string', { length: 40 }),
    sf('Birthdate', 'date'),
    sf('AccountId', 'reference', { length: 18 }),
  ],
};

function attr(name: string, data_type: IcDataType, extra: Partial<IcDataAttribute> = {}): IcDataAttribute {
  const custom = extra.custom ?? false;
  return {
    name,
    full_name: custom ? `custom_attributes.${name}` : name,
    label: name,
    data_type,
    custom,
    archived: false,
    api_writable: true,
    ...extra,
  };
}
const customAttr = (name: string, data_type: IcDataType, extra: Partial<IcDataAttribute> = {}) =>
  attr(name, data_type, { custom: true, ...extra });

const dataAttributes: IcDataAttribute[] = [
  attr('name', 'string'),
  attr('email', 'string'),
  attr('phone', 'string'),
  attr('external_id', 'string'),
  attr('role', 'string'),
  attr('created_at', 'date', { api_writable: false }),
  attr('updated_at', 'date', { api_writable: false }),
  attr('signed_up_at', 'date'),
  attr('last_seen_at', 'date'),
  attr('owner_id', 'integer'),
  attr('unsubscribed_from_emails', 'boolean'),
  ...['company', 'job_title', 'city', 'department', 'lead_source'].map((n) => customAttr(n, 'string')),
  customAttr('plan', 'string'),
  customAttr('score', 'float'),
  customAttr('employees', 'integer'),
  customAttr('trial_end', 'date'),
  customAttr('last_login', 'date'),
  customAttr('opted_out', 'boolean'),
  customAttr('old_tier', 'string', { archived: true }),
  customAttr('computed', 'string', { api_writable: false }),
  customAttr('tier', 'string', { options: ['Free', 'Pro', 'Gold', 'Platinum'] }),
  customAttr('starter_tier', 'string', { options: ['Free', 'Starter'] }),
];
const ctx: ValidationContext = { describe: { Lead, Contact }, dataAttributes };

type Dir = 'salesforce_to_intercom' | 'intercom_to_salesforce';
const S2I: Dir = 'salesforce_to_intercom';
const I2S: Dir = 'intercom_to_salesforce';
const mapping = (id: string, sfObject: string, sfField: string, icAttribute: string, direction: Dir) => ({
  id,
  sfObject,
  sfField,
  icAttribute,
  direction,
});
const base = { sfApiLimit: 15000, installerEmail: 'installer@example.com', intercomWebhookSecretRef: 'INTERCOM_WEBHOOK_SECRET' };
const withMappings = (...mappings: unknown[]) => ({ ...base, mappings });

function problemsOf(input: unknown): Problem[] {
  const r = validateSettings(input, ctx);
  if (r.ok) throw new Error('expected the settings to be refused');
  return r.problems;
}
const codes = (ps: Problem[]) => ps.map((p) => [p.path, p.code]);

// ---- tests --------------------------------------------------------------------------------------

describe('valid settings', () => {
  it('the demo defaults fit the sandbox data model', () => {
    const r = validateSettings(defaultSettings(), ctx);
    expect(r).toEqual({ ok: true, settings: defaultSettings() });
  });

  it('fills in defaults: matching by email, 300 s polling, UTC', () => {
    const r = validateSettings(withMappings(), ctx);
    expect(r.ok && r.settings).toMatchObject({
      matching: { key: 'email', duplicatePolicy: 'error' },
      pollIntervalSeconds: 300,
      timeZone: 'UTC',
    });
  });

  it('polls Salesforce every 5 minutes at the most often, as the article says Intercom does', () => {
    const poll = (pollIntervalSeconds: number) => validateSettings({ ...withMappings(), pollIntervalSeconds }, ctx);
    expect(poll(300)).toMatchObject({ ok: true });
    expect(poll(86_400)).toMatchObject({ ok: true });
    const refused = poll(299);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problems.map((p) => [p.path, p.message])).toEqual([
      ['pollIntervalSeconds', 'pollIntervalSeconds: must be at least 300 seconds (5 minutes)'],
    ]);
  });

  it('a matching key pair such as external_id holding the Salesforce Id', () => {
    const r = validateSettings(
      { ...withMappings(), matching: { key: { icAttribute: 'external_id', sfField: 'Id' }, duplicatePolicy: 'skip' } },
      ctx,
    );
    expect(r.ok).toBe(true);
  });

  it('one Intercom attribute may be written from a Lead field and a Contact field', () => {
    expect(
      validateSettings(
        withMappings(
          mapping('a', 'Lead', 'Title', 'custom_attributes.job_title', S2I),
          mapping('b', 'Contact', 'Title', 'custom_attributes.job_title', S2I),
        ),
        ctx,
      ).ok,
    ).toBe(true);
  });

  it('a read-only Salesforce field may be a source, the record Id included', () => {
    expect(
      validateSettings(
        withMappings(mapping('a', 'Lead', 'Id', 'external_id', S2I), mapping('b', 'Lead', 'CreatedDate', 'signed_up_at', S2I)),
        ctx,
      ),
    ).toMatchObject({ ok: true });
  });

  it('the save request carries the settings unparsed, for validation in one step', () => {
    expect(SaveSettingsRequest.parse({ settings: { x: 1 }, confirmStopBulk: true })).toEqual({ settings: { x: 1 }, confirmStopBulk: true });
    expect(SaveSettingsRequest.safeParse({ settings: {}, confirmStopBulk: 'yes' }).success).toBe(false);
    expect(WorkspaceSettingsSchema.parse(defaultSettings({ appUrl: 'https://sync.example.com' })).appUrl).toBe('https://sync.example.com');
  });
});

describe('shape problems', () => {
  it('lists every shape problem, each naming its path', () => {
    const ps = problemsOf({
      mappings: [{ id: '', sfObject: 'Account', sfField: 'Ti tle', icAttribute: 'custom_attributes.', direction: 'both' }],
      sfApiLimit: 0,
      pollIntervalSeconds: 10,
      installerEmail: 'nope',
      timeZone: 'Mars/Olympus_Mons',
      intercomWebhookSecretRef: 'sk live 123',
      appUrl: 'not a url',
      matching: { duplicatePolicy: 'merge' },
      sfApiLimt: 5,
    });
    expect(codes(ps)).toEqual([
      ['mappings.0.id', 'invalid_shape'],
      ['mappings.0.sfObject', 'invalid_shape'],
      ['mappings.0.sfField', 'invalid_shape'],
      ['mappings.0.icAttribute', 'invalid_shape'],
      ['mappings.0.direction', 'invalid_shape'],
      ['matching.duplicatePolicy', 'invalid_shape'],
      ['sfApiLimit', 'invalid_shape'],
      ['pollIntervalSeconds', 'invalid_shape'],
      ['installerEmail', 'invalid_shape'],
      ['timeZone', 'invalid_shape'],
      ['intercomWebhookSecretRef', 'invalid_shape'],
      ['appUrl', 'invalid_shape'],
      ['', 'invalid_shape'],
    ]);
    expect(ps.find((p) => p.path === 'timeZone')?.message).toContain('IANA');
    expect(ps.find((p) => p.path === 'intercomWebhookSecretRef')?.message).toContain('not the secret itself');
    expect(ps.find((p) => p.path === '')?.message).toBe('settings has unknown key(s) "sfApiLimt"');
  });

  it('missing required keys are named', () => {
    const ps = problemsOf({ mappings: [] });
    expect(codes(ps)).toEqual([
      ['sfApiLimit', 'invalid_shape'],
      ['installerEmail', 'invalid_shape'],
      ['intercomWebhookSecretRef', 'invalid_shape'],
    ]);
    expect(ps[0].message).toMatch(/^sfApiLimit: /);
  });

  it('something that is not settings at all', () => {
    expect(codes(problemsOf('hello'))).toEqual([['', 'invalid_shape']]);
    expect(codes(problemsOf(null))).toEqual([['', 'invalid_shape']]);
  });

  it('a broken mapping does not hide problems of the well-formed ones', () => {
    const ps = problemsOf({
      ...withMappings({ id: 'x', sfObject: 'Lead' }, mapping('y', 'Lead', 'Nope__c', 'custom_attributes.city', S2I)),
      sfApiLimit: -1,
    });
    expect(codes(ps)).toEqual([
      ['mappings.0.sfField', 'invalid_shape'],
      ['mappings.0.icAttribute', 'invalid_shape'],
      ['mappings.0.direction', 'invalid_shape'],
      ['sfApiLimit', 'invalid_shape'],
      ['mappings.1.sfField', 'unknown_sf_field'],
    ]);
  });
});

describe('problems against the describe', () => {
  it('unknown fields and attributes, with a hint for a custom attribute named without its prefix', () => {
    const ps = problemsOf(
      withMappings(
        mapping('a', 'Lead', 'Department', 'custom_attributes.department', S2I), // Contact-only field
        mapping('b', 'Contact', 'Title', 'job_title', S2I),
        mapping('c', 'Contact', 'Nickname__c', 'custom_attributes.nickname', I2S),
      ),
    );
    expect(codes(ps)).toEqual([
      ['mappings.0.sfField', 'unknown_sf_field'],
      ['mappings.1.icAttribute', 'unknown_ic_attribute'],
      ['mappings.2.sfField', 'unknown_sf_field'],
      ['mappings.2.icAttribute', 'unknown_ic_attribute'],
    ]);
    expect(ps[0].message).toBe('Salesforce Lead has no field "Department"');
    expect(ps[1].message).toBe('Intercom has no contact attribute "job_title" (did you mean "custom_attributes.job_title"?)');
  });

  it('a missing describe of an object', () => {
    const ps = validateSettings(withMappings(mapping('a', 'Contact', 'Title', 'custom_attributes.job_title', S2I)), {
      ...ctx,
      describe: { Lead } as ValidationContext['describe'],
    });
    expect(!ps.ok && codes(ps.problems)).toEqual([['mappings.0.sfObject', 'unknown_sf_object']]);
  });

  it("targets that cannot be written in the mapping's direction", () => {
    const ps = problemsOf(
      withMappings(
        mapping('a', 'Lead', 'CreatedDate', 'custom_attributes.last_login', I2S),
        mapping('b', 'Contact', 'Id', 'external_id', I2S),
        mapping('c', 'Lead', 'Title', 'custom_attributes.old_tier', S2I),
        mapping('d', 'Lead', 'Title', 'custom_attributes.computed', S2I),
        mapping('e', 'Lead', 'CreatedDate', 'created_at', S2I),
        mapping('f', 'Lead', 'Title', 'role', S2I),
      ),
    );
    expect(codes(ps)).toEqual([
      ['mappings.0.sfField', 'sf_field_not_writable'],
      ['mappings.1.sfField', 'sf_field_not_writable'],
      ['mappings.2.icAttribute', 'ic_attribute_not_writable'],
      ['mappings.3.icAttribute', 'ic_attribute_not_writable'],
      ['mappings.4.icAttribute', 'ic_attribute_not_writable'],
      ['mappings.5.icAttribute', 'ic_attribute_not_writable'],
    ]);
    expect(ps[0].message).toBe('Salesforce field Lead.CreatedDate is not updateable');
    expect(ps[2].message).toContain('archived');
    expect(ps[3].message).toContain('not writable through the API');
    expect(ps[5].message).toContain('not written by mappings');
  });

  it('types outside the compatibility table, both ways', () => {
    const ps = problemsOf(
      withMappings(
        mapping('a', 'Lead', 'Title', 'custom_attributes.score', S2I),
        mapping('b', 'Lead', 'Score__c', 'custom_attributes.city', I2S),
        mapping('c', 'Lead', 'HasOptedOutOfEmail', 'custom_attributes.employees', S2I),
        mapping('d', 'Contact', 'Birthdate', 'custom_attributes.company', S2I),
        mapping('e', 'Contact', 'Tags__c', 'custom_attributes.lead_source', S2I),
        mapping('f', 'Contact', 'AccountId', 'custom_attributes.department', S2I),
        mapping('g', 'Lead', 'NumberOfEmployees', 'custom_attributes.opted_out', I2S),
      ),
    );
    expect(ps.map((p) => p.code)).toEqual(Array(7).fill('incompatible_types'));
    expect(ps[0].message).toMatch(/^Salesforce string field Lead.Title cannot map to Intercom float attribute "custom_attributes.score"/);
  });

  it('Intercom options a Salesforce picklist does not have, one problem each', () => {
    const ps = problemsOf(
      withMappings(
        mapping('a', 'Lead', 'Plan__c', 'custom_attributes.tier', I2S),
        mapping('b', 'Contact', 'Plan__c', 'custom_attributes.starter_tier', I2S),
        mapping('c', 'Contact', 'LeadSource', 'custom_attributes.tier', S2I),
      ),
    );
    expect(codes(ps)).toEqual([
      ['mappings.0.icAttribute', 'unknown_picklist_value'],
      ['mappings.0.icAttribute', 'unknown_picklist_value'],
    ]);
    expect(ps.map((p) => p.message)).toEqual([
      'Intercom option "Gold" of "custom_attributes.tier" is not an active value of picklist Lead.Plan__c (Free, Starter, Pro, Enterprise)',
      'Intercom option "Platinum" of "custom_attributes.tier" is not an active value of picklist Lead.Plan__c (Free, Starter, Pro, Enterprise)',
    ]);
  });
});

describe('problems between mappings', () => {
  it('two mappings writing one target, per side', () => {
    const ps = problemsOf(
      withMappings(
        mapping('a', 'Lead', 'Phone', 'phone', I2S),
        mapping('b', 'Lead', 'Phone', 'custom_attributes.city', I2S),
        mapping('c', 'Lead', 'Title', 'custom_attributes.job_title', S2I),
        mapping('d', 'Lead', 'City', 'custom_attributes.job_title', S2I),
        mapping('e', 'Lead', 'Company', 'custom_attributes.job_title', S2I),
      ),
    );
    expect(codes(ps)).toEqual([
      ['mappings.1', 'duplicate_target'],
      ['mappings.3', 'duplicate_target'],
      ['mappings.4', 'duplicate_target'],
    ]);
    expect(ps[0].message).toBe('Salesforce field Lead.Phone is already written by mapping "a"');
    expect(ps[2].message).toContain('"custom_attributes.job_title"');
  });

  it('one attribute pair mapped both ways', () => {
    const ps = problemsOf(withMappings(mapping('a', 'Contact', 'Phone', 'phone', I2S), mapping('b', 'Contact', 'Phone', 'phone', S2I)));
    expect(codes(ps)).toEqual([['mappings.1.direction', 'both_directions']]);
    expect(ps[0].message).toContain('mapping "a"');
  });

  it('mapping ids used twice', () => {
    const ps = problemsOf(
      withMappings(
        mapping('same', 'Lead', 'Title', 'custom_attributes.job_title', S2I),
        mapping('same', 'Contact', 'Title', 'custom_attributes.job_title', S2I),
      ),
    );
    expect(codes(ps)).toEqual([['mappings.1.id', 'duplicate_mapping_id']]);
  });
});

describe('matching key problems', () => {
  it('unknown attribute or field, and types that cannot hold a key', () => {
    expect(
      codes(problemsOf({ ...withMappings(), matching: { key: { icAttribute: 'custom_attributes.sf_id', sfField: 'Sf_Id__c' } } })),
    ).toEqual([
      ['matching.key.icAttribute', 'unknown_ic_attribute'],
      ['matching.key.sfField', 'unknown_sf_field'],
      ['matching.key.sfField', 'unknown_sf_field'],
    ]);
    expect(
      codes(problemsOf({ ...withMappings(), matching: { key: { icAttribute: 'custom_attributes.score', sfField: 'Company' } } })),
    ).toEqual([
      ['matching.key.icAttribute', 'incompatible_types'],
      ['matching.key.sfField', 'unknown_sf_field'],
    ]);
    expect(codes(problemsOf({ ...withMappings(), matching: { key: { icAttribute: 'external_id', sfField: 'Trial_End__c' } } }))).toEqual([
      ['matching.key.sfField', 'incompatible_types'],
      ['matching.key.sfField', 'incompatible_types'],
    ]);
  });
});

describe('everything at once', () => {
  it('lists every kind of problem in one answer', () => {
    const ps = problemsOf({
      ...withMappings(
        mapping('a', 'Lead', 'Nope', 'custom_attributes.city', S2I),
        mapping('b', 'Lead', 'Title', 'custom_attributes.nope', S2I),
        mapping('c', 'Lead', 'CreatedDate', 'custom_attributes.last_login', I2S),
        mapping('d', 'Lead', 'Title', 'custom_attributes.computed', S2I),
        mapping('e', 'Lead', 'Title', 'custom_attributes.score', S2I),
        mapping('f', 'Lead', 'Plan__c', 'custom_attributes.tier', I2S),
        mapping('g', 'Lead', 'Phone', 'phone', I2S),
        mapping('h', 'Lead', 'Phone', 'phone', S2I),
        mapping('g', 'Lead', 'Phone', 'custom_attributes.city', I2S),
      ),
      pollIntervalSeconds: 1,
    });
    expect(new Set(ps.map((p) => p.code))).toEqual(
      new Set([
        'invalid_shape',
        'unknown_sf_field',
        'unknown_ic_attribute',
        'sf_field_not_writable',
        'ic_attribute_not_writable',
        'incompatible_types',
        'unknown_picklist_value',
        'both_directions',
        'duplicate_mapping_id',
        'duplicate_target',
      ]),
    );
    expect(ps).toHaveLength(11);
  });
});
