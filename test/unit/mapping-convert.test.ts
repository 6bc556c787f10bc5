import { describe, expect, it } from 'vitest';
import type { IcDataAttribute, IcDataType, SfFieldDescribe, SfFieldType } from '../../connectors/types.ts';
import { toIntercom, toSalesforce, sfComparable, icComparable, sameComparable, syncErrorCause } from '../../actors/mapping/index.ts';

function sf(name: string, type: SfFieldType, extra: Partial<SfFieldDescribe> = {}): SfFieldDescribe {
  return { name, label: name, type, length: 0, updateable: true, createable: true, nillable: true, picklistValues: [], ...extra };
}
function ic(name: string, data_type: IcDataType, extra: Partial<IcDataAttribute> = {}): IcDataAttribute {
  return {
    name,
    full_name: `custom_attributes.${name}`,
    label: name,
    data_type,
    custom: true,
    archived: false,
    api_writable: true,
    ...extra,
  };
}
const picklist = (...values: string[]) => values.map((value) => ({ value, label: value, active: true, defaultValue: false }));

const City = sf('City', 'string', { length: 40 });
const LastName = sf('LastName', 'string', { length: 80, nillable: false });
const Email = sf('Email', 'email', { length: 80 });
const Phone = sf('Phone', 'phone', { length: 40 });
const Description = sf('Description', 'textarea', { length: 32000 });
const Website = sf('Website', 'url', { length: 255 });
const Plan = sf('Plan__c', 'picklist', {
  length: 255,
  picklistValues: [...picklist('Free', 'Starter', 'Pro'), { value: 'Legacy', label: 'Legacy', active: false, defaultValue: false }],
});
const OptedOut = sf('HasOptedOutOfEmail', 'boolean', { nillable: false });
const Employees = sf('NumberOfEmployees', 'int', { precision: 0, scale: 0 });
const Score = sf('Score__c', 'double', { precision: 18, scale: 2 });
const Revenue = sf('AnnualRevenue', 'currency', { precision: 18, scale: 2 });
const Discount = sf('Discount__c', 'percent', { precision: 5, scale: 2 });
const TrialEnd = sf('Trial_End__c', 'date');
const LastLogin = sf('Last_Login__c', 'datetime');

const text = ic('city', 'string');
const plan = ic('plan', 'string', { options: ['Free', 'Starter', 'Pro'] });
const flag = ic('opted_out', 'boolean');
const integer = ic('employees', 'integer');
const float = ic('score', 'float');
const date = ic('trial_end', 'date');
const datetime = ic('seen', 'datetime');

const okValue = (value: unknown) => ({ ok: true, value });

describe('Salesforce to Intercom', () => {
  it('text fields: trailing whitespace dropped, "" and null both mean no value', () => {
    for (const field of [City, Email, Phone, Description, Website, Plan]) {
      expect(toIntercom('Pro  \n', field, text, 'UTC')).toEqual(okValue('Pro'));
      expect(toIntercom('', field, text, 'UTC')).toEqual(okValue(null));
      expect(toIntercom('   ', field, text, 'UTC')).toEqual(okValue(null));
      expect(toIntercom(null, field, text, 'UTC')).toEqual(okValue(null));
    }
    expect(toIntercom('  leading kept', City, text, 'UTC')).toEqual(okValue('  leading kept'));
  });

  it('a value outside the Intercom attribute options is refused', () => {
    expect(toIntercom('Pro', Plan, plan, 'UTC')).toEqual(okValue('Pro'));
    const r = toIntercom('Gold', Plan, plan, 'UTC');
    expect(r).toMatchObject({ ok: false, cause: 'invalid_picklist_value' });
    expect(!r.ok && r.message).toContain('"Gold"');
  });

  it('checkbox to boolean', () => {
    expect(toIntercom(true, OptedOut, flag, 'UTC')).toEqual(okValue(true));
    expect(toIntercom(false, OptedOut, flag, 'UTC')).toEqual(okValue(false));
    expect(toIntercom('TRUE', OptedOut, flag, 'UTC')).toEqual(okValue(true));
    expect(toIntercom('maybe', OptedOut, flag, 'UTC')).toMatchObject({ ok: false, cause: 'unparseable_boolean' });
  });

  it('numbers: integer attributes round half away from zero, floats pass through, text is read', () => {
    expect(toIntercom(12, Employees, integer, 'UTC')).toEqual(okValue(12));
    expect(toIntercom(12, Employees, float, 'UTC')).toEqual(okValue(12));
    expect(toIntercom(2.5, Score, integer, 'UTC')).toEqual(okValue(3));
    expect(toIntercom(-2.5, Score, integer, 'UTC')).toEqual(okValue(-3));
    expect(toIntercom(2.49, Revenue, integer, 'UTC')).toEqual(okValue(2));
    expect(toIntercom(3.14159, Score, float, 'UTC')).toEqual(okValue(3.14159));
    expect(toIntercom(12.5, Revenue, float, 'UTC')).toEqual(okValue(12.5));
    expect(toIntercom(45.5, Discount, float, 'UTC')).toEqual(okValue(45.5));
    expect(toIntercom('12.50', Discount, integer, 'UTC')).toEqual(okValue(13));
    expect(toIntercom('', Score, float, 'UTC')).toEqual(okValue(null));
    expect(toIntercom(null, Score, float, 'UTC')).toEqual(okValue(null));
    expect(toIntercom('12abc', Score, float, 'UTC')).toMatchObject({ ok: false, cause: 'unparseable_number' });
    expect(toIntercom(1e300, Score, integer, 'UTC')).toMatchObject({ ok: false, cause: 'number_out_of_range' });
  });

  it('a date-only value becomes midnight of that day in the workspace time zone', () => {
    expect(toIntercom('2024-01-31', TrialEnd, date, 'UTC')).toEqual(okValue(1706659200));
    expect(toIntercom('2024-01-31', TrialEnd, date, 'Europe/Berlin')).toEqual(okValue(1706659200 - 3600));
    expect(toIntercom('2024-07-01', TrialEnd, date, 'America/Los_Angeles')).toEqual(okValue(Date.UTC(2024, 6, 1, 7) / 1000));
    expect(toIntercom('2024-01-31', TrialEnd, datetime, 'UTC')).toEqual(okValue(1706659200));
    // Clocks jumped from 00:00 to 01:00 that day: the day began at 01:00 local (03:00 UTC).
    expect(toIntercom('2018-11-04', TrialEnd, date, 'America/Sao_Paulo')).toEqual(okValue(Date.UTC(2018, 10, 4, 3) / 1000));
    expect(toSalesforce(Date.UTC(2018, 10, 4, 3) / 1000 - 1, date, TrialEnd, 'America/Sao_Paulo')).toEqual(okValue('2018-11-03'));
    expect(toIntercom('2024-10-06', TrialEnd, date, 'Australia/Lord_Howe')).toEqual(okValue(Date.UTC(2024, 9, 5, 13, 30) / 1000));
    expect(toIntercom(null, TrialEnd, date, 'UTC')).toEqual(okValue(null));
    expect(toIntercom('2024-02-30', TrialEnd, date, 'UTC')).toMatchObject({ ok: false, cause: 'unparseable_date' });
    expect(toIntercom('31/01/2024', TrialEnd, date, 'UTC')).toMatchObject({ ok: false, cause: 'unparseable_date' });
  });

  it('a Salesforce date-time becomes unix seconds, whatever its offset', () => {
    expect(toIntercom('2024-01-01T00:00:00.000+0000', LastLogin, date, 'Europe/Berlin')).toEqual(okValue(1704067200));
    expect(toIntercom('2024-01-01T00:00:00.999+0000', LastLogin, date, 'UTC')).toEqual(okValue(1704067200));
    expect(toIntercom('2024-01-01T01:00:00+01:00', LastLogin, datetime, 'UTC')).toEqual(okValue(1704067200));
    expect(toIntercom('2024-01-01T00:00:00Z', LastLogin, date, 'UTC')).toEqual(okValue(1704067200));
    expect(toIntercom('yesterday', LastLogin, date, 'UTC')).toMatchObject({ ok: false, cause: 'unparseable_date' });
  });

  it('pairs outside the type table are a type mismatch naming both sides', () => {
    const r = toIntercom('x', City, integer, 'UTC');
    expect(r).toMatchObject({ ok: false, cause: 'type_mismatch' });
    expect(!r.ok && r.message).toMatch(/City.*employees/);
    expect(toIntercom(1, Employees, text, 'UTC')).toMatchObject({ ok: false, cause: 'type_mismatch' });
    expect(toIntercom('2024-01-01', TrialEnd, flag, 'UTC')).toMatchObject({ ok: false, cause: 'type_mismatch' });
  });
});

describe('Intercom to Salesforce', () => {
  it('text fields: length is checked, never truncated', () => {
    const forty = 'x'.repeat(40);
    expect(toSalesforce(forty, text, City, 'UTC')).toEqual(okValue(forty));
    expect(toSalesforce(`${forty}   `, text, City, 'UTC')).toEqual(okValue(forty));
    const r = toSalesforce(`${forty}y`, text, City, 'UTC');
    expect(r).toMatchObject({ ok: false, cause: 'field_too_long' });
    expect(!r.ok && r.message).toMatch(/41 characters.*City.*40/);
    expect(toSalesforce('+1 555 0100', text, Phone, 'UTC')).toEqual(okValue('+1 555 0100'));
    expect(toSalesforce('a\nb', text, Description, 'UTC')).toEqual(okValue('a\nb'));
    expect(toSalesforce('https://example.com', text, Website, 'UTC')).toEqual(okValue('https://example.com'));
    expect(toSalesforce(42, text, City, 'UTC')).toEqual(okValue('42'));
    expect(toSalesforce({ a: 1 }, text, City, 'UTC')).toMatchObject({ ok: false, cause: 'type_mismatch' });
  });

  it('empty values: null for optional fields, refused for required ones', () => {
    expect(toSalesforce('', text, City, 'UTC')).toEqual(okValue(null));
    expect(toSalesforce(null, text, City, 'UTC')).toEqual(okValue(null));
    expect(toSalesforce(null, text, LastName, 'UTC')).toMatchObject({ ok: false, cause: 'required_value_missing' });
  });

  it('email fields take only addresses', () => {
    expect(toSalesforce('ann+tag@example.com', text, Email, 'UTC')).toEqual(okValue('ann+tag@example.com'));
    expect(toSalesforce('not an email', text, Email, 'UTC')).toMatchObject({ ok: false, cause: 'invalid_email' });
  });

  it('picklists take only active values', () => {
    expect(toSalesforce('Pro', plan, Plan, 'UTC')).toEqual(okValue('Pro'));
    const inactive = toSalesforce('Legacy', plan, Plan, 'UTC');
    expect(inactive).toMatchObject({ ok: false, cause: 'invalid_picklist_value' });
    expect(!inactive.ok && inactive.message).toContain('Free, Starter, Pro');
    expect(toSalesforce('pro', plan, Plan, 'UTC')).toMatchObject({ ok: false, cause: 'invalid_picklist_value' });
  });

  it('booleans: an unset flag is an unchecked checkbox', () => {
    expect(toSalesforce(true, flag, OptedOut, 'UTC')).toEqual(okValue(true));
    expect(toSalesforce(null, flag, OptedOut, 'UTC')).toEqual(okValue(false));
    expect(toSalesforce('false', flag, OptedOut, 'UTC')).toEqual(okValue(false));
    expect(toSalesforce(1, flag, OptedOut, 'UTC')).toMatchObject({ ok: false, cause: 'type_mismatch' });
  });

  it('numbers: rounded to the field scale, range checked', () => {
    expect(toSalesforce(7, integer, Employees, 'UTC')).toEqual(okValue(7));
    expect(toSalesforce(7.5, float, Employees, 'UTC')).toEqual(okValue(8));
    expect(toSalesforce(3e9, integer, Employees, 'UTC')).toMatchObject({ ok: false, cause: 'number_out_of_range' });
    expect(toSalesforce(3.14159, float, Score, 'UTC')).toEqual(okValue(3.14));
    expect(toSalesforce(1.005, float, Revenue, 'UTC')).toEqual(okValue(1.01));
    expect(toSalesforce(-1.005, float, Revenue, 'UTC')).toEqual(okValue(-1.01));
    expect(toSalesforce('19.999', float, Revenue, 'UTC')).toEqual(okValue(20));
    expect(toSalesforce(12, integer, Discount, 'UTC')).toEqual(okValue(12));
    expect(toSalesforce(1000, float, Discount, 'UTC')).toMatchObject({ ok: false, cause: 'number_out_of_range' });
    expect(toIntercom(999.5, Discount, integer, 'UTC')).toEqual(okValue(1000));
    expect(toSalesforce(1000, integer, Discount, 'UTC')).toMatchObject({ ok: false, cause: 'number_out_of_range' });
    expect(toSalesforce(999.994, float, Discount, 'UTC')).toEqual(okValue(999.99));
    expect(toSalesforce(999.995, float, Discount, 'UTC')).toMatchObject({ ok: false, cause: 'number_out_of_range' });
    expect(toSalesforce(1e17, float, Score, 'UTC')).toMatchObject({ ok: false, cause: 'number_out_of_range' });
    expect(toSalesforce('n/a', float, Score, 'UTC')).toMatchObject({ ok: false, cause: 'unparseable_number' });
    expect(toSalesforce(null, float, Score, 'UTC')).toEqual(okValue(null));
    expect(toSalesforce(true, float, Score, 'UTC')).toMatchObject({ ok: false, cause: 'type_mismatch' });
  });

  it('dates: unix seconds become the calendar day in the workspace time zone', () => {
    expect(toSalesforce(1706659200, date, TrialEnd, 'UTC')).toEqual(okValue('2024-01-31'));
    expect(toSalesforce(1706659200, date, TrialEnd, 'America/Los_Angeles')).toEqual(okValue('2024-01-30'));
    expect(toSalesforce(1706659200 - 3600, date, TrialEnd, 'Europe/Berlin')).toEqual(okValue('2024-01-31'));
    expect(toSalesforce('1706659200', date, TrialEnd, 'UTC')).toEqual(okValue('2024-01-31'));
    expect(toSalesforce(1706659200.7, datetime, TrialEnd, 'UTC')).toEqual(okValue('2024-01-31'));
    expect(toSalesforce('2024-01-31T12:00:00Z', date, TrialEnd, 'UTC')).toEqual(okValue('2024-01-31'));
    expect(toSalesforce('soon', date, TrialEnd, 'UTC')).toMatchObject({ ok: false, cause: 'unparseable_date' });
    expect(toSalesforce(-9e9, date, TrialEnd, 'UTC')).toMatchObject({ ok: false, cause: 'date_out_of_range' });
    expect(toSalesforce(null, date, TrialEnd, 'UTC')).toEqual(okValue(null));
  });

  it('date-times: unix seconds become an ISO date-time as Salesforce writes it', () => {
    expect(toSalesforce(1704067200, date, LastLogin, 'Europe/Berlin')).toEqual(okValue('2024-01-01T00:00:00.000+0000'));
    expect(toSalesforce(1704067201, datetime, LastLogin, 'UTC')).toEqual(okValue('2024-01-01T00:00:01.000+0000'));
    expect(toSalesforce(1e14, date, LastLogin, 'UTC')).toMatchObject({ ok: false, cause: 'date_out_of_range' });
  });

  it('pairs outside the type table are a type mismatch', () => {
    expect(toSalesforce('x', text, Employees, 'UTC')).toMatchObject({ ok: false, cause: 'type_mismatch' });
    expect(toSalesforce(1, float, OptedOut, 'UTC')).toMatchObject({ ok: false, cause: 'type_mismatch' });
    expect(toSalesforce(1, date, City, 'UTC')).toMatchObject({ ok: false, cause: 'type_mismatch' });
  });
});

describe('comparable forms', () => {
  it("treat the two services' spellings of one value as equal", () => {
    expect(sameComparable(sfComparable('', City), sfComparable(null, City))).toBe(true);
    expect(sameComparable(sfComparable('Paris ', City), sfComparable('Paris', City))).toBe(true);
    expect(sameComparable(sfComparable('3.10', Score), sfComparable(3.1, Score))).toBe(true);
    expect(sameComparable(sfComparable(null, OptedOut), sfComparable(false, OptedOut))).toBe(true);
    expect(
      sameComparable(sfComparable('2024-01-01T00:00:00.000+0000', LastLogin), sfComparable('2024-01-01T00:00:00.456Z', LastLogin)),
    ).toBe(true);
    expect(sameComparable(icComparable('1706659200', date), icComparable(1706659200, date))).toBe(true);
    expect(sameComparable(icComparable(2.6, integer), icComparable(3, integer))).toBe(true);
  });

  it('an unreadable current value equals nothing, itself included', () => {
    expect(sameComparable(sfComparable('garbage', TrialEnd), sfComparable('garbage', TrialEnd))).toBe(false);
    expect(sameComparable(icComparable('x', float), icComparable('x', float))).toBe(false);
  });

  it('map conversion causes to sync-error causes', () => {
    expect(syncErrorCause('field_too_long')).toBe('field_too_long');
    expect(syncErrorCause('unparseable_date')).toBe('unparseable_value');
    expect(syncErrorCause('required_value_missing')).toBe('required_field');
    expect(syncErrorCause('number_out_of_range')).toBe('invalid_value');
  });
});
