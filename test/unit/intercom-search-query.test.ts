// The sandbox's search compiler and calendar arithmetic, without a server.
import { describe, expect, it } from 'vitest';
import type { IcContact } from '../../connectors/types.ts';
import { compileQuery, dayStart, defaultDataAttributes, nextDayStart } from '../../sandbox/intercom/index.ts';

const ctx = { attributes: defaultDataAttributes(), timeZone: 'UTC' };
const utc = (iso: string) => Date.parse(iso) / 1000;

function contact(over: Partial<IcContact>): IcContact {
  return {
    type: 'contact',
    id: '0'.repeat(24),
    external_id: null,
    role: 'user',
    email: null,
    phone: null,
    name: null,
    custom_attributes: {},
    created_at: 0,
    updated_at: 0,
    ...over,
  };
}

function matches(query: unknown, c: IcContact, timeZone = 'UTC'): boolean {
  const r = compileQuery(query, { ...ctx, timeZone });
  if (!r.ok) throw new Error(r.problem.message);
  return r.predicate(c);
}

describe('compileQuery', () => {
  it('matches strings case-insensitively with = ~ ^ $ and their negations', () => {
    const c = contact({ email: 'Ann.Lee+crm@Example.com' });
    expect(matches({ field: 'email', operator: '=', value: 'ann.lee+crm@example.com' }, c)).toBe(true);
    expect(matches({ field: 'email', operator: '!=', value: 'ann.lee+crm@example.com' }, c)).toBe(false);
    expect(matches({ field: 'email', operator: '~', value: '+CRM' }, c)).toBe(true);
    expect(matches({ field: 'email', operator: '!~', value: 'crm' }, c)).toBe(false);
    expect(matches({ field: 'email', operator: '^', value: 'ann.' }, c)).toBe(true);
    expect(matches({ field: 'email_domain', operator: '=', value: 'example.com' }, c)).toBe(true);
    expect(matches({ field: 'email', operator: '$', value: '.org' }, c)).toBe(false);
  });

  it('matches null as "not set" and compares numbers of custom attributes', () => {
    const c = contact({ custom_attributes: { employees: 40, score: 2.5 } });
    expect(matches({ field: 'phone', operator: '=', value: null }, c)).toBe(true);
    expect(matches({ field: 'custom_attributes.employees', operator: '>', value: '39' }, c)).toBe(true);
    expect(matches({ field: 'custom_attributes.score', operator: '<=', value: 2.5 }, c)).toBe(true);
    expect(matches({ field: 'custom_attributes.employees', operator: 'NIN', value: [40, 41] }, c)).toBe(false);
  });

  it('matches dates by calendar day: = the day, > from the next day, < before the day', () => {
    const morning = utc('2024-05-02T08:00:00Z');
    const c = contact({ updated_at: utc('2024-05-02T23:00:00Z') });
    expect(matches({ field: 'updated_at', operator: '=', value: morning }, c)).toBe(true);
    expect(matches({ field: 'updated_at', operator: '>', value: morning }, c)).toBe(false);
    expect(matches({ field: 'updated_at', operator: '<', value: utc('2024-05-03T01:00:00Z') }, c)).toBe(true);
    expect(matches({ field: 'custom_attributes.trial_end', operator: '=', value: null }, c)).toBe(true);
  });

  it('refuses with a message naming the problem', () => {
    const problem = (q: unknown) => {
      const r = compileQuery(q, ctx);
      return r.ok ? 'accepted' : r.problem.message;
    };
    expect(problem({ field: 'updated_at', operator: '>=', value: 1 })).toBe('operator >= is not supported on date field updated_at');
    expect(problem({ field: 'role', operator: '>', value: 'lead' })).toBe('operator > is not supported on string field role');
    expect(problem({ field: 'unsubscribed_from_emails', operator: '~', value: 'x' })).toMatch(/not supported on boolean/);
    expect(problem({ field: 'shoe_size', operator: '=', value: 1 })).toMatch(/shoe_size is not searchable/);
    expect(problem({ field: 'updated_at', operator: '=', value: 'yesterday' })).toMatch(/does not fit date field/);
    expect(problem({ field: 'role', operator: 'IN', value: 'lead' })).toMatch(/needs an array/);
    expect(problem({ field: 'role', operator: 'LIKE', value: 'x' })).toMatch(/operator "LIKE" is not supported/);
    expect(problem({ operator: 'AND', value: [] })).toMatch(/non-empty array/);
    expect(problem([])).toMatch(/must be an object/);
  });

  it('allows two levels of groups and 15 members, not three levels or 16', () => {
    const leaf = { field: 'role', operator: '=', value: 'user' };
    const ok = (q: unknown) => compileQuery(q, ctx).ok;
    expect(ok({ operator: 'OR', value: Array(15).fill(leaf) })).toBe(true);
    expect(ok({ operator: 'OR', value: Array(16).fill(leaf) })).toBe(false);
    expect(ok({ operator: 'AND', value: [{ operator: 'OR', value: [leaf] }, leaf] })).toBe(true);
    expect(ok({ operator: 'AND', value: [{ operator: 'OR', value: [{ operator: 'AND', value: [leaf] }] }] })).toBe(false);
    expect(ok({ operator: 'AND', value: [{ operator: 'OR', value: Array(16).fill(leaf) }] })).toBe(false);
  });
});

describe('calendar days', () => {
  it('finds local midnight in a zone and across DST changes', () => {
    expect(dayStart(utc('2024-01-15T03:00:00Z'), 'America/New_York')).toBe(utc('2024-01-14T05:00:00Z'));
    expect(nextDayStart(utc('2024-01-15T03:00:00Z'), 'America/New_York')).toBe(utc('2024-01-15T05:00:00Z'));
    // Berlin: 31 March 2024 has 23 hours, 27 October 2024 has 25.
    expect(nextDayStart(utc('2024-03-31T12:00:00Z'), 'Europe/Berlin') - dayStart(utc('2024-03-31T12:00:00Z'), 'Europe/Berlin')).toBe(
      23 * 3600,
    );
    expect(nextDayStart(utc('2024-10-27T12:00:00Z'), 'Europe/Berlin') - dayStart(utc('2024-10-27T12:00:00Z'), 'Europe/Berlin')).toBe(
      25 * 3600,
    );
    expect(dayStart(utc('2024-10-27T12:00:00Z'), 'Europe/Berlin')).toBe(utc('2024-10-26T22:00:00Z'));
    // Santiago skips midnight on 8 September 2024 (00:00 -04 becomes 01:00 -03): the day starts at 01:00.
    expect(dayStart(utc('2024-09-08T16:00:00Z'), 'America/Santiago')).toBe(utc('2024-09-08T04:00:00Z'));
    expect(nextDayStart(utc('2024-09-07T16:00:00Z'), 'America/Santiago')).toBe(utc('2024-09-08T04:00:00Z'));
    expect(dayStart(utc('2024-01-15T03:00:00Z'), 'Asia/Kolkata')).toBe(utc('2024-01-14T18:30:00Z'));
  });
});
