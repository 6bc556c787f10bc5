import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ERROR_ID,
  SEEN_LIMIT,
  errorId,
  isResolvedBy,
  mergeOccurrence,
  publicError,
  toSf18,
  type Occurrence,
  type StoredError,
} from '../../actors/errors/index.ts';

const base: Occurrence = {
  syncType: 'event',
  direction: 'intercom_to_salesforce',
  sfObject: 'Contact',
  sfId: '003000000000001AAA',
  icId: '65f0a1b2c3d4e5f601234567',
  attributes: ['Title', 'Phone'],
  cause: 'validation_rule',
  message: 'Title may not say CEO',
  details: { statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
  run: null,
  at: 1_000,
};

describe('sync error ids', () => {
  it('are 24 hex characters and ignore attribute order and repeats', () => {
    const a = errorId('ws1', base);
    expect(a).toMatch(ERROR_ID);
    expect(errorId('ws1', { ...base, attributes: ['Phone', 'Title', 'Phone'] })).toBe(a);
  });

  it('differ by workspace, direction, record, cause and attributes', () => {
    const a = errorId('ws1', base);
    expect(errorId('ws2', base)).not.toBe(a);
    expect(errorId('ws1', { ...base, direction: 'salesforce_to_intercom' })).not.toBe(a);
    expect(errorId('ws1', { ...base, sfId: '003000000000002AAA' })).not.toBe(a);
    expect(errorId('ws1', { ...base, cause: 'field_too_long' })).not.toBe(a);
    expect(errorId('ws1', { ...base, attributes: ['Title'] })).not.toBe(a);
  });

  it('name the record by its Salesforce Id when known, else by the Intercom contact', () => {
    // The Intercom side changing (a relink) does not make a different failure of the same record.
    expect(errorId('ws1', { ...base, icId: 'ffffffffffffffffffffffff' })).toBe(errorId('ws1', base));
    const icOnly = { ...base, sfId: null };
    expect(errorId('ws1', icOnly)).not.toBe(errorId('ws1', { ...icOnly, icId: 'ffffffffffffffffffffffff' }));
    // An Intercom id can never be mistaken for a Salesforce Id with the same text.
    expect(errorId('ws1', { ...base, sfId: null, icId: 'X' })).not.toBe(errorId('ws1', { ...base, sfId: 'X', icId: null }));
  });

  it('treat the 15- and 18-character forms of a Salesforce Id as one record', () => {
    expect(toSf18('003D000000QV7dG')).toBe('003D000000QV7dGIAT');
    expect(toSf18('00Qxx0000012345')).toHaveLength(18);
    expect(toSf18('003D000000QV7dGIAT')).toBe('003D000000QV7dGIAT');
    expect(errorId('ws1', { ...base, sfId: '003D000000QV7dG' })).toBe(errorId('ws1', { ...base, sfId: '003D000000QV7dGIAT' }));
  });
});

describe('merging occurrences', () => {
  const first = mergeOccurrence('ws1', null, base) as StoredError;

  it('creates the error from its first occurrence', () => {
    expect(publicError(first)).toEqual({
      id: errorId('ws1', base),
      ws: 'ws1',
      syncType: 'event',
      direction: 'intercom_to_salesforce',
      sfObject: 'Contact',
      sfId: base.sfId,
      icId: base.icId,
      attributes: ['Phone', 'Title'],
      cause: 'validation_rule',
      message: base.message,
      details: base.details,
      run: null,
      firstAt: 1_000,
      lastAt: 1_000,
      attempts: 1,
    });
  });

  it('counts a later occurrence as another attempt and describes the error by it', () => {
    const second = mergeOccurrence('ws1', first, { ...base, syncType: 'retry', message: 'again', at: 5_000 }) as StoredError;
    expect(second).toMatchObject({ attempts: 2, firstAt: 1_000, lastAt: 5_000, syncType: 'retry', message: 'again', id: first.id });
  });

  it('ignores a redelivered report (same occurrence)', () => {
    expect(mergeOccurrence('ws1', first, { ...base })).toBeUndefined();
  });

  it('keeps the newest description when an older report arrives late', () => {
    const newer = mergeOccurrence('ws1', first, { ...base, message: 'newest', at: 9_000 }) as StoredError;
    const late = mergeOccurrence('ws1', newer, { ...base, message: 'older', at: 500, syncType: 'bulk', run: 'r1' }) as StoredError;
    expect(late).toMatchObject({ attempts: 3, firstAt: 500, lastAt: 9_000, message: 'newest', syncType: 'event', run: null });
  });

  it('counts every distinct occurrence exactly once, whatever the order and repeats (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 1e9 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (ats, repeats) => {
          const reports = ats.map((at) => ({ ...base, at }));
          const delivered = [...reports, ...repeats.filter((i) => i < reports.length).map((i) => reports[i])];
          let s: StoredError | null = null;
          for (const r of delivered) s = mergeOccurrence('ws1', s, r) ?? s;
          const e = s as StoredError;
          expect(e.lastAt).toBe(Math.max(...ats));
          expect(e.firstAt).toBe(Math.min(...ats));
          // Repeats are recognised while they are among the last SEEN_LIMIT occurrences.
          if (ats.length <= SEEN_LIMIT) expect(e.attempts).toBe(ats.length);
        },
      ),
    );
  });
});

describe('resolution', () => {
  const e = publicError(mergeOccurrence('ws1', null, base) as StoredError);
  const r = { errorIds: [], sfId: base.sfId, icId: null, direction: null, at: 2_000 };

  it('clears the errors of the record that synced', () => {
    expect(isResolvedBy(e, r)).toBe(true);
    expect(isResolvedBy(e, { ...r, sfId: null, icId: base.icId })).toBe(true);
    expect(isResolvedBy(e, { ...r, sfId: '003D000000QV7dG' })).toBe(false);
  });

  it('respects the direction and the ids when given', () => {
    expect(isResolvedBy(e, { ...r, direction: 'salesforce_to_intercom' })).toBe(false);
    expect(isResolvedBy(e, { ...r, direction: 'intercom_to_salesforce' })).toBe(true);
    expect(isResolvedBy(e, { ...r, errorIds: ['aaaaaaaaaaaaaaaaaaaaaaaa'] })).toBe(false);
    expect(isResolvedBy(e, { ...r, errorIds: [e.id] })).toBe(true);
    expect(isResolvedBy(e, { ...r, sfId: null, errorIds: [e.id] })).toBe(true);
  });

  it('keeps an error that happened again after the clean sync', () => {
    expect(isResolvedBy(e, { ...r, at: 999 })).toBe(false);
  });
});
