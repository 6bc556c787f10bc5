import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/index.ts';
import { icErrorCause, summariseSfFailure } from '../../actors/writer/index.ts';

const sfErrorCause = (code: string) => summariseSfFailure([{ statusCode: code, message: 'm', fields: [] }], []).cause;

describe('Salesforce statusCode to sync-error cause', () => {
  it.each([
    ['FIELD_CUSTOM_VALIDATION_EXCEPTION', 'validation_rule'],
    ['STRING_TOO_LONG', 'field_too_long'],
    ['INVALID_EMAIL_ADDRESS', 'invalid_value'],
    ['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'invalid_picklist_value'],
    ['DUPLICATES_DETECTED', 'duplicate'],
    ['INSUFFICIENT_ACCESS_OR_READONLY', 'permission'],
    ['INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', 'permission'],
    ['ENTITY_IS_DELETED', 'not_found'],
    ['INVALID_CROSS_REFERENCE_KEY', 'not_found'],
    ['REQUIRED_FIELD_MISSING', 'required_field'],
    ['NUMBER_OUTSIDE_VALID_RANGE', 'invalid_value'],
    ['SOMETHING_NEW', 'other'],
  ])('%s -> %s', (code, cause) => {
    expect(sfErrorCause(code)).toBe(cause);
  });

  it('does not take inherited object keys for codes', () => {
    expect(sfErrorCause('constructor')).toBe('other');
    expect(sfErrorCause('__proto__')).toBe('other');
    expect(sfErrorCause('toString')).toBe('other');
  });

  it('summarises a refused record by its first error, keeping every error and the fields named', () => {
    const s = summariseSfFailure(
      [
        { statusCode: 'STRING_TOO_LONG', message: 'Phone: data value too large: x (max length=40)', fields: ['Phone'] },
        { statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'No Pro plan for leads', fields: ['Plan__c'] },
      ],
      ['Phone', 'Plan__c', 'Score__c'],
    );
    expect(s.cause).toBe('field_too_long');
    expect(s.attributes).toEqual(['Phone', 'Plan__c']);
    expect(s.message).toBe(
      'STRING_TOO_LONG: Phone: data value too large: x (max length=40); FIELD_CUSTOM_VALIDATION_EXCEPTION: No Pro plan for leads',
    );
    expect(s.details).toMatchObject({ statusCode: 'STRING_TOO_LONG', fields: ['Phone'] });
    expect(s.details.errors).toHaveLength(2);
  });

  it('names every field sent when Salesforce names none, and survives an empty error list', () => {
    expect(summariseSfFailure([{ statusCode: 'DUPLICATES_DETECTED', message: 'dup', fields: [] }], ['Phone']).attributes).toEqual([
      'Phone',
    ]);
    const s = summariseSfFailure([], ['Title']);
    expect(s).toMatchObject({ cause: 'other', attributes: ['Title'], details: { statusCode: 'UNKNOWN_ERROR' } });
  });
});

describe('Intercom error to sync-error cause', () => {
  const base = { system: 'intercom' as const, code: 'x' };
  it('per-contact answers become causes', () => {
    expect(icErrorCause(new ConnectorError('gone', { kind: 'not_found', ...base, status: 404 }))).toBe('not_found');
    expect(icErrorCause(new ConnectorError('taken', { kind: 'conflict', ...base, status: 409 }))).toBe('duplicate');
    expect(icErrorCause(new ConnectorError('bad', { kind: 'invalid', ...base, status: 400 }))).toBe('invalid_value');
    expect(icErrorCause(new ConnectorError('bad', { kind: 'invalid', ...base, status: 422 }))).toBe('invalid_value');
    expect(icErrorCause(new ConnectorError('null email refused before sending', { kind: 'invalid', ...base }))).toBe('invalid_value');
  });

  it('failures of the call itself are not about the contact: null', () => {
    expect(icErrorCause(new ConnectorError('503', { kind: 'transient', ...base, status: 503 }))).toBeNull();
    expect(icErrorCause(new ConnectorError('429', { kind: 'rate_limited', ...base, status: 429 }))).toBeNull();
    expect(icErrorCause(new ConnectorError('401', { kind: 'auth', ...base, status: 401 }))).toBeNull();
    expect(icErrorCause(new ConnectorError('never sent', { kind: 'withdrawn', ...base }))).toBeNull();
    expect(icErrorCause(new ConnectorError('sf', { kind: 'not_found', system: 'salesforce', code: 'x', status: 404 }))).toBeNull();
    expect(icErrorCause(new Error('plain'))).toBeNull();
  });
});
