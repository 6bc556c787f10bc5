// Tier arithmetic of the Salesforce API budget. A workspace defines a daily limit; as its use grows,
// classes of work stop getting tokens: bulk sync at 40%, event sync at 80% (the last 20% is kept
// for people), everything at 100%. Comparisons are in whole numbers (used * 100 vs pct * limit), so
// the boundaries are exact: 39.9% is below 40%, 40% is not.

import { type Tier, WORK_CLASSES, type WorkClass } from '../../protocol/index.ts';

/** Every class of work asks for tokens. */
export type RequestClass = WorkClass;
export type { Tier };
export const REQUEST_CLASSES: readonly RequestClass[] = WORK_CLASSES;

/**
 * Percent of the defined limit from which a class gets no tokens. `retry` is a retry a person asked
 * for (from the sync-errors list), so it counts as interactive: the product keeps the last 20% for
 * "single-record look-ups and retries a person asked for". Automatic redelivery of event or bulk
 * work stays in its own class.
 */
export const STOP_PERCENT: Readonly<Record<RequestClass, number>> = { bulk: 40, event: 80, retry: 100, interactive: 100 };

/**
 * Calls a workspace without a defined limit may lease, interactive only, in 24 hours: the describe
 * calls that check its first settings (two a save, and the console's field lists). They are charged
 * into the usage window like any lease, so the first limit saved already counts them; bulk, event
 * and retry work gets nothing until a limit exists. The console reads the field lists at most once
 * a minute per mapping process, so 200 leaves well over an hour of page loads before a first save.
 */
export const FIRST_RUN_CALLS = 200;

export const WARNING_SOON =
  'This workspace will soon hit its limit of Salesforce API calls. This will pause your data sync ' +
  'with Salesforce. Increase the limit in the settings below to avoid this';
export const WARNING_EXHAUSTED =
  'This workspace has hit its limit of Salesforce API calls. Your data sync with Salesforce is ' +
  'paused and the integration won\u2019t work as expected. Increase the limit in the settings below to avoid this.';

/** What Salesforce reports of the whole org (all integrations): `Sforce-Limit-Info` used/max. */
export interface OrgUsage {
  used: number;
  max: number;
}

function assertCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${String(n)}`);
}

function assertLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError(`limit must be a whole number > 0, got ${String(limit)}`);
}

function assertClass(cls: string): asserts cls is RequestClass {
  if (!(REQUEST_CLASSES as readonly string[]).includes(cls)) {
    throw new RangeError(`request class must be one of ${REQUEST_CLASSES.join(', ')}, got ${JSON.stringify(cls)}`);
  }
}

/** Percent of the defined limit used (may exceed 100: other calls are not refused by Salesforce). */
export function consumption(used: number, limit: number): number {
  assertCount('used', used);
  assertLimit(limit);
  return (used * 100) / limit;
}

export function tierOf(used: number, limit: number): Tier {
  assertCount('used', used);
  assertLimit(limit);
  const reached = (pct: number) => used * 100 >= pct * limit;
  if (reached(100)) return 'exhausted';
  if (reached(STOP_PERCENT.event)) return 'event_paused';
  if (reached(STOP_PERCENT.bulk)) return 'bulk_paused';
  return 'normal';
}

/** Calls the workspace may have used before `cls` gets no more tokens: ceil(limit * pct / 100). */
export function thresholdFor(cls: RequestClass, limit: number): number {
  assertClass(cls);
  assertLimit(limit);
  return Math.ceil((STOP_PERCENT[cls] * limit) / 100);
}

/** Whether a class gets tokens in a tier. */
export function classAllowed(cls: RequestClass, tier: Tier): boolean {
  assertClass(cls);
  switch (tier) {
    case 'normal':
      return true;
    case 'bulk_paused':
      return cls !== 'bulk';
    case 'event_paused':
      return cls === 'retry' || cls === 'interactive';
    default:
      return false;
  }
}

/** The most tokens one lease carries: 1% of the limit, at least 1. */
export function leaseMaxFor(limit: number): number {
  assertLimit(limit);
  return Math.max(1, Math.floor(limit / 100));
}

/**
 * Tokens that may be granted now (0 = refuse). `used` must count tokens granted but not yet
 * reported as well as calls made. A grant is capped by the request, the lease size and the room
 * left below the class's threshold, so it never carries the workspace past that threshold (the
 * design allows up to one lease over; staying under costs only smaller leases near the edge).
 * When the org as a whole is out of calls, nothing is granted, and a grant never exceeds what the
 * org has left.
 */
export function grantable(
  cls: RequestClass,
  used: number,
  limit: number,
  requested: number,
  leaseMax: number = leaseMaxFor(limit),
  org?: OrgUsage,
): number {
  assertClass(cls);
  assertCount('used', used);
  assertLimit(limit);
  assertCount('requested', requested);
  if (!Number.isSafeInteger(leaseMax) || leaseMax < 1)
    throw new RangeError(`leaseMax must be a whole number >= 1, got ${String(leaseMax)}`);
  if (org) {
    assertCount('org used', org.used);
    assertCount('org max', org.max);
  }
  const orgRoom = org ? org.max - org.used : Number.POSITIVE_INFINITY;
  const room = thresholdFor(cls, limit) - used;
  return Math.max(0, Math.min(requested, leaseMax, room, orgRoom));
}

/** The banner text for a tier: a warning from 80%, another once the limit is hit. */
export function warningFor(tier: Tier): string | null {
  if (tier === 'exhausted') return WARNING_EXHAUSTED;
  if (tier === 'event_paused') return WARNING_SOON;
  return null;
}
