import { describe, expect, it } from 'vitest';
import { compareCursors, eventMatters, storableCursor } from '../../actors/polling/plan.ts';

const at = (s: string) => `2025-03-03T10:00:${s}.000+0000`;
const rec = (Id: string, sec: string) => ({ Id, SystemModstamp: at(sec) });

describe('storableCursor: only past seconds that are over', () => {
  const from = { modstamp: at('00'), id: '003000000000000AAA' };
  const records = [rec('003000000000001AAA', '01'), rec('003000000000002AAA', '02'), rec('003000000000001AAA', '03')];

  it('stops before the second the service is still in', () => {
    const server = Date.parse('2025-03-03T10:00:02.700Z');
    expect(storableCursor(records, from, server, 0)).toEqual({ modstamp: at('01'), id: '003000000000001AAA' });
  });

  it('goes past every record once their seconds are over', () => {
    const server = Date.parse('2025-03-03T10:00:04.000Z');
    expect(storableCursor(records, from, server, 0)).toEqual({ modstamp: at('03'), id: '003000000000001AAA' });
  });

  it('stays where it was when every record is in a running second', () => {
    expect(storableCursor(records.slice(0, 1), from, Date.parse('2025-03-03T10:00:01.100Z'), 0)).toBe(from);
  });

  it('without the service clock, counts as over only seconds that began 2 s or more before its own', () => {
    // 10:00:04.5 less the margin is 10:00:02.5: second 02 may still be running on the service.
    expect(storableCursor(records, from, null, Date.parse('2025-03-03T10:00:04.500Z'))).toEqual({
      modstamp: at('01'),
      id: '003000000000001AAA',
    });
  });

  it('orders cursors by stamp, then Id', () => {
    expect(compareCursors({ modstamp: at('01'), id: 'b' }, { modstamp: at('02'), id: 'a' })).toBe(-1);
    expect(compareCursors({ modstamp: at('02'), id: 'b' }, { modstamp: at('02'), id: 'a' })).toBe(1);
  });
});

describe('eventMatters: which change events are worth a poll', () => {
  const fields = (o: string) => (o === 'Contact' ? ['Id', 'Email', 'Title'] : null);
  const e = { object: 'Contact' as const, changeType: 'UPDATE', changedFields: ['Title', 'LastModifiedDate'], commitUser: '005P' };
  it('a person changing a field the sync reads', () => expect(eventMatters(e, '005ME', fields)).toBe(true));
  it('not peoplesync’s own write', () => expect(eventMatters({ ...e, commitUser: '005ME' }, '005ME', fields)).toBe(false));
  it('not an object no mapping names', () => expect(eventMatters({ ...e, object: 'Lead' }, '005ME', fields)).toBe(false));
  it('not a field the sync does not read', () =>
    expect(eventMatters({ ...e, changedFields: ['Description'] }, '005ME', fields)).toBe(false));
  it('always a creation', () => expect(eventMatters({ ...e, changeType: 'CREATE', changedFields: [] }, '005ME', fields)).toBe(true));
});
