// Salesforce counts API calls over a rolling 24 hours. This window keeps one bucket per minute
// (1,440 of them) and takes the time from its caller, so it has no clock of its own and tests can
// move time freely. A bucket leaves the window 1,440 minutes after its minute began, so a call
// is counted for between 23h59m and 24h: at most one minute's calls are released early.

import type { z } from 'zod';
import { UsageWindowSnapshotSchema } from '../../protocol/index.ts';

export const WINDOW_MINUTES = 1440;
const MINUTE_MS = 60_000;

/** The persisted form (protocol/kv-values.ts): buckets as [minute since epoch, calls], oldest first. */
export type UsageWindowSnapshot = z.infer<typeof UsageWindowSnapshotSchema>;

function minuteOf(nowMs: number): number {
  if (!Number.isFinite(nowMs)) throw new RangeError(`now must be epoch milliseconds, got ${String(nowMs)}`);
  return Math.floor(nowMs / MINUTE_MS);
}

function assertCalls(calls: number): void {
  if (!Number.isSafeInteger(calls) || calls < 0) throw new RangeError(`calls must be a whole number >= 0, got ${String(calls)}`);
}

export class UsageWindow {
  readonly #buckets = new Map<number, number>();
  /** Pruning walks every bucket, so it runs once per new minute, not on every add. */
  #prunedAt = Number.NEGATIVE_INFINITY;
  /** Sum of every bucket held; right after a prune that is the window's total, so the total asked
   * for on every grant costs nothing within the minute of the last prune. */
  #sum = 0;

  /** Counts `calls` in the minute of `nowMs`, and drops buckets that have left the window. */
  add(calls: number, nowMs: number): void {
    assertCalls(calls);
    const minute = minuteOf(nowMs);
    this.#prune(minute);
    // Stamped by a clock so far behind that the minute has left the window already: nothing to count.
    if (calls === 0 || minute <= this.#prunedAt - WINDOW_MINUTES) return;
    this.#buckets.set(minute, (this.#buckets.get(minute) ?? 0) + calls);
    this.#sum += calls;
  }

  /** Takes back up to `calls` from the minute of `atMs` (tokens granted then and returned unspent).
   * Returns how many were taken; a minute that has left the window has nothing to give back. */
  remove(calls: number, atMs: number): number {
    assertCalls(calls);
    const minute = minuteOf(atMs);
    const have = this.#buckets.get(minute) ?? 0;
    const take = Math.min(have, calls);
    if (take === have) this.#buckets.delete(minute);
    else this.#buckets.set(minute, have - take);
    this.#sum -= take;
    return take;
  }

  /** Calls in the 24 hours up to `nowMs`. Buckets stamped later than now (a clock behind
   * another instance's) still count: those calls were made. */
  total(nowMs: number): number {
    const nowMinute = minuteOf(nowMs);
    if (nowMinute === this.#prunedAt) return this.#sum;
    const oldest = nowMinute - WINDOW_MINUTES;
    let sum = 0;
    for (const [minute, calls] of this.#buckets) if (minute > oldest) sum += calls;
    return sum;
  }

  /** Calls per minute still in the window at `nowMs`, oldest first (for charts). */
  buckets(nowMs: number): Array<[minute: number, calls: number]> {
    const oldest = minuteOf(nowMs) - WINDOW_MINUTES;
    return [...this.#buckets].filter(([minute]) => minute > oldest).sort((a, b) => a[0] - b[0]);
  }

  snapshot(): UsageWindowSnapshot {
    return { v: 1, buckets: [...this.#buckets].sort((a, b) => a[0] - b[0]) };
  }

  static restore(snapshot: unknown): UsageWindow {
    const w = new UsageWindow();
    for (const [minute, calls] of readSnapshot(snapshot).buckets) {
      w.#buckets.set(minute, (w.#buckets.get(minute) ?? 0) + calls);
      w.#sum += calls;
    }
    return w;
  }

  #prune(nowMinute: number): void {
    if (nowMinute <= this.#prunedAt) return;
    this.#prunedAt = nowMinute;
    const oldest = nowMinute - WINDOW_MINUTES;
    for (const [minute, calls] of this.#buckets) {
      if (minute > oldest) continue;
      this.#buckets.delete(minute);
      this.#sum -= calls;
    }
  }
}

/** Checks a stored snapshot with its schema; a bad one is an error naming what is wrong, never a
 * silent zero. */
function readSnapshot(s: unknown): UsageWindowSnapshot {
  const parsed = UsageWindowSnapshotSchema.safeParse(s);
  if (parsed.success) return parsed.data;
  const bad = (why: string) => new TypeError(`usage window snapshot ${why}`);
  if (typeof s !== 'object' || s === null) throw bad('must be an object');
  const { v, buckets } = s as { v?: unknown; buckets?: unknown[] };
  const [field, i] = parsed.error.issues[0].path;
  if (field === 'v') throw bad(`has unknown version ${JSON.stringify(v)}`);
  if (typeof i !== 'number') throw bad('must have a buckets array');
  throw bad(`bucket ${i} must be [minute, calls] in whole numbers, got ${JSON.stringify(buckets?.[i])}`);
}
