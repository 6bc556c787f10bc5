// The one classifier of failures: Salesforce's and Intercom's answers as their APIs give them
// (test/fixtures/reference/: the recorded bodies, and API-FACTS.md's quoted ones), and NATS's own.
import { readFileSync } from 'node:fs';
import { NatsError } from 'nats';
import { describe, expect, it } from 'vitest';
import { parseErrorBody } from '../../connectors/index.ts';
import {
  classifyIntercom,
  classifySalesforce,
  ConnectorError,
  failureOf,
  fieldRefusal,
  FieldRefusedError,
  isKvWriteConflict,
  isNoResponders,
  isSalesforceRequestLimit,
  isSystemError,
  isTransientNatsError,
  isTransientSalesforceCode,
  PermanentError,
  refusedFieldCause,
  RetryableError,
} from '../../protocol/index.ts';

const REFERENCE = new URL('../fixtures/reference/salesforce/', import.meta.url);

/** What jsforce throws for a top-level REST error body `[{"message","errorCode"}]`. */
function jsforceError(body: { message: string; errorCode: string }): Error {
  return Object.assign(new Error(body.message), { name: body.errorCode, errorCode: body.errorCode });
}

describe('Salesforce failures', () => {
  it('the recorded INVALID_FIELD refusal is an invalid request, and a field refusal', () => {
    const [body] = JSON.parse(readFileSync(new URL('write_error_response.json', REFERENCE), 'utf8')) as {
      message: string;
      errorCode: string;
    }[];
    expect(classifySalesforce(jsforceError(body), 400)).toMatchObject({ kind: 'invalid', code: 'INVALID_FIELD', status: 400 });
    const err = new ConnectorError(body.message, { system: 'salesforce', kind: 'invalid', code: body.errorCode, status: 400 });
    expect(fieldRefusal(err)).toBe(err);
    expect(refusedFieldCause(body.errorCode)).toBe('other');
    expect(refusedFieldCause('JSON_PARSER_ERROR')).toBe('unparseable_value');
    expect(fieldRefusal(new ConnectorError('m', { system: 'salesforce', kind: 'invalid', code: 'MALFORMED_QUERY' }))).toBeUndefined();
    expect(fieldRefusal(new ConnectorError('m', { system: 'intercom', kind: 'invalid', code: 'INVALID_FIELD' }))).toBeUndefined();
  });

  it('REQUEST_LIMIT_EXCEEDED: the daily budget spent, or too many long requests at once', () => {
    const daily = jsforceError({ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect(classifySalesforce(daily)).toMatchObject({ kind: 'request_limit', code: 'REQUEST_LIMIT_EXCEEDED', status: 403 });
    const concurrent = jsforceError({ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect(classifySalesforce(concurrent, 403)).toMatchObject({ kind: 'rate_limited', retryAfterMs: 5_000 });
    const limited = new ConnectorError('m', { system: 'salesforce', kind: 'request_limit', code: 'REQUEST_LIMIT_EXCEEDED' });
    expect([limited.retryable, limited.name, isSalesforceRequestLimit(limited)]).toEqual([false, 'RequestLimitExceededError', true]);
    expect(isSalesforceRequestLimit(Object.assign(new Error('m'), { code: 'REQUEST_LIMIT_EXCEEDED' }))).toBe(false);
    // The concurrency limit shares the code but spends no budget: a few seconds' wait, not a spent org.
    const busy = new ConnectorError('m', {
      system: 'salesforce',
      kind: 'rate_limited',
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: 5_000,
    });
    expect(isSalesforceRequestLimit(busy)).toBe(false);
  });

  it('sessions, missing records, locked rows, 5xx, the network and timeouts', () => {
    const session = jsforceError({ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' });
    expect(classifySalesforce(session, 401)).toMatchObject({ kind: 'auth', code: 'INVALID_SESSION_ID' });
    expect(classifySalesforce(new Error('Unauthorized'), 401)).toMatchObject({ kind: 'auth', code: 'INVALID_SESSION_ID' });
    expect(classifySalesforce(new Error('gone'), 404)).toMatchObject({ kind: 'not_found', code: 'NOT_FOUND' });
    const locked = jsforceError({ message: 'unable to obtain exclusive access to this record', errorCode: 'UNABLE_TO_LOCK_ROW' });
    expect(classifySalesforce(locked)).toMatchObject({ kind: 'transient', code: 'UNABLE_TO_LOCK_ROW' });
    expect([isTransientSalesforceCode('UNABLE_TO_LOCK_ROW'), isTransientSalesforceCode('ERROR_HTTP_503')]).toEqual([true, true]);
    expect(isTransientSalesforceCode('STRING_TOO_LONG')).toBe(false);
    expect(classifySalesforce(new Error('Service Unavailable'), 503)).toMatchObject({ kind: 'transient', code: 'HTTP_503' });
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    expect(classifySalesforce(reset)).toMatchObject({ kind: 'transient', code: 'ECONNRESET', said: 'ECONNRESET' });
    expect(classifySalesforce(new TypeError('terminated'))).toMatchObject({ kind: 'transient', code: 'NETWORK', said: 'NETWORK' });
    expect(classifySalesforce(new DOMException('aborted', 'AbortError'))).toMatchObject({
      kind: 'transient',
      code: 'TIMEOUT',
      timedOut: true,
    });
    const odd = jsforceError({ message: 'no', errorCode: 'SOMETHING_ELSE' });
    expect(classifySalesforce(odd, 403)).toMatchObject({ kind: 'unknown', code: 'SOMETHING_ELSE' });
  });
});

describe('Intercom failures', () => {
  // Bodies as API-FACTS.md and the 2.14 description give them.
  const cases: [number, unknown, string, string][] = [
    [401, { type: 'error.list', errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }] }, 'auth', 'unauthorized'],
    [404, { type: 'error.list', errors: [{ code: 'not_found', message: 'User Not Found' }] }, 'not_found', 'not_found'],
    [
      409,
      { type: 'error.list', errors: [{ code: 'conflict', message: 'A contact matching those details already exists with id=1' }] },
      'conflict',
      'conflict',
    ],
    [
      429,
      { type: 'error.list', errors: [{ code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 167 in 10_seconds' }] },
      'rate_limited',
      'rate_limit_exceeded',
    ],
    [
      400,
      { type: 'error.list', errors: [{ code: 'parameter_invalid', message: 'Away status reason is deleted' }] },
      'invalid',
      'parameter_invalid',
    ],
    [503, 'Service Unavailable', 'transient', 'http_503'],
    [408, '', 'transient', 'http_408'],
  ];
  it.each(cases)('%i answers a %s failure', (status, body, kind, code) => {
    expect([classifyIntercom(status), parseErrorBody(body, status).code]).toEqual([kind, code]);
  });

  it('a system error of the transport is a call without an answer', () => {
    expect(isSystemError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isSystemError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toBe(true);
    expect(isSystemError(new Error('a bug'))).toBe(false);
  });
});

describe('NATS failures', () => {
  it('no responders, transient trouble and KV write conflicts', () => {
    expect(isNoResponders(new NatsError('503', '503'))).toBe(true);
    expect(isNoResponders(new NatsError('TIMEOUT', 'TIMEOUT'))).toBe(false);
    expect(isNoResponders(Object.assign(new Error('503'), { code: '503' }))).toBe(false);
    expect(isTransientNatsError(new NatsError('CONNECTION_REFUSED', 'CONNECTION_REFUSED'))).toBe(true);
    expect(isKvWriteConflict(new Error('wrong last sequence: 7'))).toBe(true);
    expect(isKvWriteConflict(Object.assign(new Error('x'), { api_error: { err_code: 10071 } }))).toBe(true);
    expect(isKvWriteConflict(new Error('stream not found'))).toBe(false);
  });
});

describe('the few error types', () => {
  it('retryability, its delay, the dead letter reason and the name are data', () => {
    const unknownRun = new RetryableError('run r was never recorded', {
      name: 'UnknownRunError',
      retryAfterMs: 1_000,
      dlqReason: 'unknown_run',
    });
    expect([unknownRun.name, String(unknownRun)]).toEqual(['UnknownRunError', 'UnknownRunError: run r was never recorded']);
    expect(failureOf(unknownRun)).toEqual({ retryable: true, retryAfterMs: 1_000, dlqReason: 'unknown_run' });
    expect(new RetryableError('m').name).toBe('RetryableError');
    expect(failureOf(new PermanentError('m', { name: 'ResyncInputError' }))).toEqual({
      retryable: false,
      retryAfterMs: undefined,
      dlqReason: undefined,
    });
    expect(failureOf(new NatsError('TIMEOUT', 'TIMEOUT'))).toEqual({ retryable: true });
    const refused = new FieldRefusedError('m', { system: 'salesforce', code: 'INVALID_FIELD', object: 'Contact', field: 'Foo__c' });
    expect([refused.name, refused.kind, refused.fields, refused instanceof ConnectorError]).toEqual([
      'FieldRefusedError',
      'invalid',
      ['Foo__c'],
      true,
    ]);
    const kinds = {
      transient: true,
      rate_limited: true,
      request_limit: false,
      auth: false,
      not_found: false,
      conflict: false,
      invalid: false,
      withdrawn: false,
      unknown: false,
    } as const;
    for (const [kind, retryable] of Object.entries(kinds)) {
      expect(new ConnectorError('m', { system: 'intercom', kind: kind as keyof typeof kinds, code: 'c' }).retryable, kind).toBe(retryable);
    }
  });
});
