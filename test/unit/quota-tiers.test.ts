import { describe, expect, it } from 'vitest';
import {
  classAllowed,
  consumption,
  grantable,
  leaseMaxFor,
  thresholdFor,
  tierOf,
  warningFor,
  REQUEST_CLASSES,
  type RequestClass,
  type Tier,
} from '../../actors/quota/index.ts';

const SOON =
  'This workspace will soon hit its limit of Salesforce API calls. This will pause your data sync with Salesforce. Increase the limit in the settings below to avoid this';
// The article's words, its typographic apostrophe included ("won’t", U+2019).
const HIT =
  'This workspace has hit its limit of Salesforce API calls. Your data sync with Salesforce is paused and the integration won\u2019t work as expected. Increase the limit in the settings below to avoid this.';

// [used of a 1,000 limit, used of a 15,000 limit, percent, tier, classes that get tokens]
const boundaries: Array<[number, number, number, Tier, RequestClass[]]> = [
  [0, 0, 0, 'normal', ['bulk', 'event', 'retry', 'interactive']],
  [399, 5985, 39.9, 'normal', ['bulk', 'event', 'retry', 'interactive']],
  [400, 6000, 40, 'bulk_paused', ['event', 'retry', 'interactive']],
  [799, 11985, 79.9, 'bulk_paused', ['event', 'retry', 'interactive']],
  [800, 12000, 80, 'event_paused', ['retry', 'interactive']],
  [999, 14985, 99.9, 'event_paused', ['retry', 'interactive']],
  [1000, 15000, 100, 'exhausted', []],
  [1300, 19500, 130, 'exhausted', []],
];

describe('tiers at the exact boundaries', () => {
  it.each(boundaries)('%i of 1,000 and %i of 15,000 calls (%f%%) is %s', (used1k, used15k, pct, tier, allowed) => {
    for (const [used, limit] of [
      [used1k, 1000],
      [used15k, 15000],
    ]) {
      expect(consumption(used, limit)).toBeCloseTo(pct, 10);
      expect(tierOf(used, limit)).toBe(tier);
      for (const cls of REQUEST_CLASSES) {
        expect(classAllowed(cls, tier)).toBe(allowed.includes(cls));
        expect(grantable(cls, used, limit, 1) > 0).toBe(allowed.includes(cls));
      }
    }
  });

  it('a limit that does not divide evenly: 40% of 1,001 is 400.4 calls', () => {
    expect(tierOf(400, 1001)).toBe('normal');
    expect(tierOf(401, 1001)).toBe('bulk_paused');
    expect(thresholdFor('bulk', 1001)).toBe(401);
    expect(grantable('bulk', 400, 1001, 5)).toBe(1);
    expect(grantable('bulk', 401, 1001, 5)).toBe(0);
  });
});

describe('thresholds and grants', () => {
  it('thresholds per class', () => {
    expect(REQUEST_CLASSES.map((c) => thresholdFor(c, 15000))).toEqual([6000, 12000, 15000, 15000]);
  });

  it('lease size: 1% of the limit, at least 1', () => {
    expect(leaseMaxFor(15000)).toBe(150);
    expect(leaseMaxFor(100_000)).toBe(1000);
    expect(leaseMaxFor(199)).toBe(1);
    expect(leaseMaxFor(200)).toBe(2);
    expect(leaseMaxFor(1)).toBe(1);
  });

  it('a grant is capped by the request, the lease and the room below the threshold', () => {
    expect(grantable('bulk', 0, 15000, 10)).toBe(10);
    expect(grantable('bulk', 0, 15000, 1000)).toBe(150);
    expect(grantable('bulk', 0, 15000, 1000, 20)).toBe(20);
    expect(grantable('bulk', 5990, 15000, 1000)).toBe(10);
    expect(grantable('event', 11990, 15000, 1000)).toBe(10);
    expect(grantable('interactive', 14999, 15000, 1000)).toBe(1);
    expect(grantable('retry', 14999, 15000, 3)).toBe(1);
    expect(grantable('bulk', 0, 15000, 0)).toBe(0);
  });

  it('granting lease after lease never carries a class past its threshold', () => {
    for (const cls of REQUEST_CLASSES) {
      let used = 0;
      for (let n = grantable(cls, used, 15000, 400); n > 0; n = grantable(cls, used, 15000, 400)) used += n;
      expect(used).toBe(thresholdFor(cls, 15000));
    }
  });

  it('nothing when the org as a whole is out of calls, and never more than it has left', () => {
    expect(grantable('interactive', 0, 15000, 5, undefined, { used: 100_000, max: 100_000 })).toBe(0);
    expect(grantable('interactive', 0, 15000, 5, undefined, { used: 100_500, max: 100_000 })).toBe(0);
    expect(grantable('interactive', 0, 15000, 5, undefined, { used: 99_998, max: 100_000 })).toBe(2);
    expect(grantable('bulk', 0, 15000, 5, undefined, { used: 10, max: 100_000 })).toBe(5);
  });

  it('bad input is an error naming the argument', () => {
    expect(() => tierOf(-1, 100)).toThrow(/used must be a whole number >= 0, got -1/);
    expect(() => tierOf(1, 0)).toThrow(/limit must be a whole number > 0, got 0/);
    expect(() => consumption(1.5, 10)).toThrow(/used/);
    expect(() => grantable('bulk', 0, 100, -2)).toThrow(/requested/);
    expect(() => grantable('bulk', 0, 100, 1, 0)).toThrow(/leaseMax/);
    expect(() => grantable('bulk', 0, 100, 1, 1, { used: -1, max: 5 })).toThrow(/org used/);
    expect(() => thresholdFor('batch' as RequestClass, 100)).toThrow(
      /request class must be one of bulk, event, retry, interactive, got "batch"/,
    );
  });
});

describe('warnings', () => {
  it('the exact texts from 80% and at 100%', () => {
    expect(warningFor('normal')).toBeNull();
    expect(warningFor('bulk_paused')).toBeNull();
    expect(warningFor('event_paused')).toBe(SOON);
    expect(warningFor('exhausted')).toBe(HIT);
    expect(warningFor(tierOf(11999, 15000))).toBeNull();
    expect(warningFor(tierOf(12000, 15000))).toBe(SOON);
    expect(warningFor(tierOf(14999, 15000))).toBe(SOON);
    expect(warningFor(tierOf(15000, 15000))).toBe(HIT);
  });
});
