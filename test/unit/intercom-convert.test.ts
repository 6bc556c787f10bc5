// Pure parts of the Intercom connector: patch bodies, wire conversion, the updated-since query
// and error mapping.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  errorForStatus,
  freshOnly,
  patchBody,
  redact,
  toIcContact,
  toIcDataAttributes,
  toIcPage,
  updatedSinceQuery,
} from '../../connectors/intercom/index.ts';
import type { IcContact, IcContactPatch, IcSearchFilter } from '../../connectors/types.ts';
import { dayStart, nextDayStart } from '../../sandbox/intercom/index.ts';

describe('patchBody', () => {
  it('keeps only the fields given, including nulls that clear', () => {
    expect(patchBody({ phone: null, custom_attributes: { plan: 'Pro' }, name: undefined })).toEqual({
      phone: null,
      custom_attributes: { plan: 'Pro' },
    });
  });

  it('refuses unknown fields, empty patches and nulls the API does not take', () => {
    expect(() => patchBody({ id: 'x' } as unknown as IcContactPatch)).toThrow(/patch field id cannot be updated/);
    expect(() => patchBody({})).toThrow(/no field to update/);
    expect(() => patchBody({ email: null })).toThrow(expect.objectContaining({ name: 'ValidationError', kind: 'invalid' }));
    expect(() => patchBody({ custom_attributes: [] as unknown as Record<string, unknown> })).toThrow(/custom_attributes must be an object/);
  });
});

describe('wire conversion', () => {
  it('keeps the fields peoplesync uses and turns empty strings into null', () => {
    const c = toIcContact({
      type: 'contact',
      id: 'abc',
      role: 'lead',
      email: '',
      phone: '+1',
      name: null,
      custom_attributes: { a: 1 },
      created_at: 1,
      updated_at: 2,
      tags: { data: [] },
    });
    expect(c).toEqual({
      type: 'contact',
      id: 'abc',
      external_id: null,
      role: 'lead',
      email: null,
      phone: '+1',
      name: null,
      owner_id: null,
      custom_attributes: { a: 1 },
      created_at: 1,
      updated_at: 2,
      signed_up_at: null,
      last_seen_at: null,
      unsubscribed_from_emails: false,
    });
    expect(() => toIcContact({ id: 'x', role: 'admin' })).toThrow(/role "admin"/);
  });

  it('reads the next cursor and total of a list', () => {
    const page = toIcPage({
      type: 'list',
      data: [],
      total_count: 300,
      pages: { type: 'pages', page: 1, per_page: 150, total_pages: 2, next: { starting_after: 'abc' } },
    });
    expect(page).toEqual({ contacts: [], next: 'abc', totalCount: 300 });
    expect(toIcPage({ data: [], total_count: 0, pages: { next: null } }).next).toBeUndefined();
    expect(() => toIcPage({ errors: [] })).toThrow(/list without data/);
  });

  it('reads data attributes', () => {
    const [a] = toIcDataAttributes({
      data: [
        {
          name: 'plan',
          full_name: 'custom_attributes.plan',
          label: 'Plan',
          data_type: 'string',
          custom: true,
          archived: false,
          api_writable: true,
          options: ['Pro'],
        },
      ],
    });
    expect(a).toEqual({
      name: 'plan',
      full_name: 'custom_attributes.plan',
      label: 'Plan',
      data_type: 'string',
      custom: true,
      archived: false,
      api_writable: true,
      options: ['Pro'],
    });
    expect(() => toIcDataAttributes({ data: [{ name: 'x', data_type: 'money' }] })).toThrow(/type "money"/);
  });
});

describe('updated-since polling', () => {
  it('reaches back far enough that `>` covers the whole day of T in any time zone', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(fc.integer({ min: 200_000, max: 2_000_000_000 }), fc.constantFrom(...zones), (t, tz) => {
        const q = updatedSinceQuery(t) as IcSearchFilter;
        expect(q).toMatchObject({ field: 'updated_at', operator: '>' });
        // Everything from the day of t onwards comes back, so nothing at or after t is missed.
        expect(nextDayStart(q.value as number, tz)).toBeLessThanOrEqual(dayStart(t, tz));
      }),
      { numRuns: 300 },
    );
    // The last hour of Berlin's 25-hour day: a plain 24-hour overlap would land on the same day.
    const t = Date.parse('2024-10-27T22:30:00Z') / 1000;
    const q = updatedSinceQuery(t) as IcSearchFilter;
    expect(nextDayStart(q.value as number, 'Europe/Berlin')).toBe(dayStart(t, 'Europe/Berlin'));
    expect(nextDayStart(t - 86_400, 'Europe/Berlin')).toBeGreaterThan(dayStart(t, 'Europe/Berlin'));
    expect(() => updatedSinceQuery(1.5)).toThrow(/integer unix seconds/);
  });

  it('drops what the overlap brought back and what was already yielded', () => {
    const mk = (id: string, updated_at: number) => ({ id, updated_at }) as IcContact;
    const seen = new Set<string>();
    expect(freshOnly([mk('a', 90), mk('b', 100), mk('c', 120)], 100, seen).map((c) => c.id)).toEqual(['b', 'c']);
    expect(freshOnly([mk('c', 120), mk('d', 130)], 100, seen).map((c) => c.id)).toEqual(['d']);
  });
});

describe('errorForStatus', () => {
  const at = (status: number, body: unknown = { type: 'error.list', errors: [{ code: 'x', message: 'y' }] }) =>
    errorForStatus({ op: 'PUT /contacts/{id}', status, body, rate: { resetAtMs: 10_500 }, nowMs: 10_000, secret: 'sekret-token' });

  it('maps statuses to typed errors that say whether to retry', () => {
    expect(at(401)).toMatchObject({ kind: 'auth' });
    expect(at(404)).toMatchObject({ kind: 'not_found' });
    expect(at(409)).toMatchObject({ kind: 'conflict' });
    expect(at(400)).toMatchObject({ kind: 'invalid' });
    expect(at(422)).toMatchObject({ kind: 'invalid' });
    expect(at(503)).toMatchObject({ kind: 'transient' });
    expect(at(503, '<html>bad gateway</html>').code).toBe('http_503');
    const limited = at(429);
    expect(limited).toMatchObject({ kind: 'rate_limited' });
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 500 });
    expect(at(400, { errors: [{ code: 'parameter_invalid', field: 'email' }] })).toMatchObject({
      fields: ['email'],
      code: 'parameter_invalid',
    });
  });

  it('never repeats the token, even if the service echoed it', () => {
    const err = at(400, { errors: [{ code: 'parameter_invalid', message: 'bad header Bearer sekret-token' }] });
    expect(err.message).not.toContain('sekret-token');
    expect(redact('a sekret-token b', 'sekret-token')).toBe('a [REDACTED] b');
  });
});
