import { describe, expect, it } from 'vitest';
import {
  causeOfIntercom,
  causeOfSalesforce,
  countByCause,
  listErrors,
  parseResyncKey,
  retryItem,
  ResyncKeyError,
} from '../../actors/errors/index.ts';
import { ErrorsList, type SyncError } from '../../protocol/index.ts';

describe('causes', () => {
  it('maps Salesforce per-record status codes', () => {
    expect(causeOfSalesforce('FIELD_CUSTOM_VALIDATION_EXCEPTION')).toBe('validation_rule');
    expect(causeOfSalesforce('STRING_TOO_LONG')).toBe('field_too_long');
    expect(causeOfSalesforce('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST')).toBe('invalid_picklist_value');
    expect(causeOfSalesforce('INVALID_EMAIL_ADDRESS')).toBe('invalid_value');
    expect(causeOfSalesforce('DUPLICATES_DETECTED')).toBe('duplicate');
    expect(causeOfSalesforce('INVALID_FIELD_FOR_INSERT_UPDATE')).toBe('permission');
    expect(causeOfSalesforce('ENTITY_IS_DELETED')).toBe('not_found');
    expect(causeOfSalesforce('REQUIRED_FIELD_MISSING')).toBe('required_field');
    expect(causeOfSalesforce('unable_to_lock_row')).toBe('conflict');
    expect(causeOfSalesforce('SOMETHING_NEW')).toBe('other');
  });

  it('maps Intercom error codes first, then HTTP statuses', () => {
    expect(causeOfIntercom('not_found', 404)).toBe('not_found');
    expect(causeOfIntercom('conflict', 409)).toBe('duplicate');
    expect(causeOfIntercom('parameter_invalid', 400)).toBe('invalid_value');
    expect(causeOfIntercom('unauthorized', 401)).toBe('permission');
    expect(causeOfIntercom(undefined, 404)).toBe('not_found');
    expect(causeOfIntercom('who_knows', 422)).toBe('invalid_value');
    expect(causeOfIntercom(undefined, 500)).toBe('other');
  });
});

function err(id: string, over: Partial<SyncError>): SyncError {
  return {
    id,
    ws: 'ws1',
    syncType: 'event',
    direction: 'intercom_to_salesforce',
    sfObject: 'Lead',
    sfId: `00Q00000000000${id}`,
    icId: null,
    attributes: ['Title'],
    cause: 'validation_rule',
    message: 'm',
    details: {},
    run: null,
    firstAt: 0,
    lastAt: 0,
    attempts: 1,
    ...over,
  };
}

describe('listing', () => {
  const all = [
    err('a', { lastAt: 10 }),
    err('b', { lastAt: 30, direction: 'salesforce_to_intercom', cause: 'not_found' }),
    err('c', { lastAt: 20, syncType: 'bulk' }),
    err('d', { lastAt: 40, cause: 'field_too_long' }),
    err('e', { lastAt: 20 }),
  ];
  const q = (over: object) => ErrorsList.request.parse(over);

  it('shows Intercom-to-Salesforce errors by default, newest first, ties by id', () => {
    const r = listErrors(all, q({}));
    expect(r.errors.map((e) => e.id)).toEqual(['d', 'c', 'e', 'a']);
    expect(r.total).toBe(4);
    expect(listErrors(all, q({ direction: 'all' })).errors.map((e) => e.id)).toEqual(['d', 'b', 'c', 'e', 'a']);
    expect(listErrors(all, q({ direction: 'salesforce_to_intercom' })).errors.map((e) => e.id)).toEqual(['b']);
  });

  it('filters by sync type, cause and time, and pages with a total', () => {
    expect(listErrors(all, q({ syncType: 'bulk' })).errors.map((e) => e.id)).toEqual(['c']);
    expect(listErrors(all, q({ cause: 'field_too_long' })).errors.map((e) => e.id)).toEqual(['d']);
    expect(listErrors(all, q({ since: 20, until: 30 })).errors.map((e) => e.id)).toEqual(['c', 'e']);
    const page = listErrors(all, q({ direction: 'all', limit: 2, offset: 2 }));
    expect(page).toMatchObject({ total: 5 });
    expect(page.errors.map((e) => e.id)).toEqual(['c', 'e']);
  });

  it('counts by cause', () => {
    expect(countByCause(all, 'all')).toEqual({ byCause: { validation_rule: 3, not_found: 1, field_too_long: 1 }, total: 5 });
    expect(countByCause(all, 'salesforce_to_intercom')).toEqual({ byCause: { not_found: 1 }, total: 1 });
  });

  it('builds the retry item of an error, or none when it names no record', () => {
    expect(retryItem(err('a', { icId: 'ic1' }), 'ann')).toEqual({
      sfObject: 'Lead',
      sfId: '00Q00000000000a',
      icId: 'ic1',
      errorIds: ['a'],
      requestedBy: 'ann',
    });
    expect(retryItem(err('a', { sfId: null, icId: null }), 'ann')).toBeNull();
  });
});

describe('resync keys', () => {
  it('tells an email, a Salesforce Id and an Intercom id apart', () => {
    expect(parseResyncKey(' Ann@Example.com ')).toEqual({ kind: 'email', email: 'Ann@Example.com' });
    expect(parseResyncKey('003D000000QV7dG')).toEqual({ kind: 'salesforce', sfObject: 'Contact', sfId: '003D000000QV7dGIAT' });
    expect(parseResyncKey('00QD000000QV7dGIAT')).toEqual({ kind: 'salesforce', sfObject: 'Lead', sfId: '00QD000000QV7dGIAT' });
    expect(parseResyncKey('65F0A1B2C3D4E5F601234567')).toEqual({ kind: 'intercom', icId: '65f0a1b2c3d4e5f601234567' });
  });

  it('refuses anything else, saying what is accepted', () => {
    expect(() => parseResyncKey('001D000000QV7dG')).toThrow(/prefix 001 is neither a Lead \(00Q\) nor a Contact \(003\)/);
    expect(() => parseResyncKey('ann@')).toThrow(ResyncKeyError);
    expect(() => parseResyncKey('hello')).toThrow(/not an email, a Salesforce Lead\/Contact Id .* or an Intercom contact id/);
  });
});
