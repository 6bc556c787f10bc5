// One workspace's Salesforce API budget as the quota leader holds it, with no I/O: the rolling
// usage window, the leases still out, the org's own figures and the defined limit. The caller
// passes the time in, so tests move it freely and the leader's clock is the only one that counts.
//
// A grant is written into the window the moment it is made, so a lease counts as used at once and
// a leader that dies leaves nothing uncounted: its successor restores the window with every lease
// in it. Unspent tokens that come back are taken out of the minute they were granted in; tokens of
// a lease nobody returns (a dead worker, a lost leader) stay counted and roll off after 24 hours.
import type { z } from 'zod';
import { LedgerSnapshotSchema, type UsageIndicator } from '../../protocol/index.ts';
import {
  FIRST_RUN_CALLS,
  consumption,
  grantable,
  leaseMaxFor,
  thresholdFor,
  tierOf,
  warningFor,
  type RequestClass,
  type Tier,
} from './tiers.ts';
import { UsageWindow, WINDOW_MINUTES, type UsageWindowSnapshot } from './usage-window.ts';

export interface Grant {
  id: string;
  cls: RequestClass;
  n: number;
  at: number;
}

/** What Salesforce last said of the whole org, and this workspace's use when it was applied, so
 * grants made since can be added to it (Salesforce only reports calls once they are made). */
export interface OrgView {
  used: number;
  max: number;
  at: number;
  ownAt: number;
}

export interface UsageReport {
  calls: number;
  orgUsed?: number;
  orgMax?: number;
  limitExceeded?: boolean;
  at: number;
}

export interface Decision {
  grantId: string | null;
  granted: number;
  tier: Tier;
  retryAfterMs: number;
}

export interface LedgerTiming {
  /** How long a refused caller waits at least / at most before asking again. */
  minRetryMs: number;
  maxRetryMs: number;
  /** While the org is exhausted: how often its figures are read again. */
  orgRecheckMs: number;
}

export const DEFAULT_LEDGER_TIMING: LedgerTiming = { minRetryMs: 1_000, maxRetryMs: 60_000, orgRecheckMs: 30_000 };

/** Leases kept for returns at most; beyond it the oldest are forgotten (and stay counted). */
export const MAX_OPEN_GRANTS = 1_000;
const MINUTE_MS = 60_000;

/** The persisted form (quota bucket, key = workspace; protocol/kv-values.ts). */
export type LedgerSnapshot = Omit<z.infer<typeof LedgerSnapshotSchema>, 'window'> & { window: UsageWindowSnapshot };

export class Ledger {
  /** The workspace's defined limit; null until settings name one (then only FIRST_RUN_CALLS
   * interactive calls are granted). */
  limit: number | null = null;
  private window: UsageWindow;
  private readonly grants = new Map<string, Grant>();
  private org: OrgView | null = null;
  private limitExceededAt: number | null = null;
  private checkedAt: number | null = null;
  private readonly timing: LedgerTiming;

  constructor(timing: Partial<LedgerTiming> = {}, window = new UsageWindow()) {
    this.timing = { ...DEFAULT_LEDGER_TIMING, ...timing };
    this.window = window;
  }

  /** A new leader's ledger from what the last one persisted; its open leases stay open, so their
   * holders may still return what they did not spend, and are counted as used until then. */
  static restore(raw: unknown, timing: Partial<LedgerTiming> = {}): Ledger {
    const parsed = LedgerSnapshotSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new TypeError(`quota state is invalid: ${issues}`);
    }
    const s = parsed.data;
    const l = new Ledger(timing, UsageWindow.restore(s.window));
    for (const [id, cls, n, at] of s.grants) l.grants.set(id, { id, cls, n, at });
    l.org = s.org;
    l.limitExceededAt = s.limitExceededAt;
    return l;
  }

  snapshot(): LedgerSnapshot {
    return {
      v: 1,
      window: this.window.snapshot(),
      grants: [...this.grants.values()].map((g) => [g.id, g.cls, g.n, g.at] as [string, RequestClass, number, number]),
      org: this.org,
      limitExceededAt: this.limitExceededAt,
    };
  }

  /** This workspace's use over the last 24 hours, open leases included. */
  own(now: number): number {
    return this.window.total(now);
  }

  get openGrants(): number {
    return this.grants.size;
  }

  /** Other integrations' use: Salesforce's last org-wide figure less this workspace's use when it
   * arrived, never below 0. That figure may predate grants already counted here (leases in flight,
   * reports still on their way), so it is never taken as the org's use directly. */
  othersUsed(): number | null {
    return this.org ? Math.max(0, this.org.used - this.org.ownAt) : null;
  }

  /** The org's use now: this workspace's own use plus the others', so never less than the first. */
  orgUsed(now: number): number | null {
    const others = this.othersUsed();
    return others === null ? null : this.own(now) + others;
  }

  orgExhausted(now: number): boolean {
    if (this.limitExceededAt !== null) return true;
    const used = this.orgUsed(now);
    return used !== null && this.org !== null && used >= this.org.max;
  }

  /** The workspace's own tier (no limit defined: nothing may be granted). */
  workspaceTier(now: number): Tier {
    return this.limit === null ? 'exhausted' : tierOf(this.own(now), this.limit);
  }

  /** The tier that decides grants: an exhausted org stops everything. */
  tier(now: number): Tier {
    return this.orgExhausted(now) ? 'exhausted' : this.workspaceTier(now);
  }

  acquire(cls: RequestClass, requested: number, id: string, now: number): Decision {
    // No limit yet: only a person's look-ups (the describe calls that check the first settings).
    if (this.limit === null && cls !== 'interactive') return this.refuse(now, this.timing.minRetryMs * 5);
    if (this.orgExhausted(now)) return this.refuse(now, this.timing.orgRecheckMs);
    const orgUsed = this.orgUsed(now);
    const org = this.org && orgUsed !== null ? { used: orgUsed, max: this.org.max } : undefined;
    const limit = this.limit ?? FIRST_RUN_CALLS;
    const leaseMax = this.limit === null ? FIRST_RUN_CALLS : leaseMaxFor(limit);
    const n = grantable(cls, this.own(now), limit, requested, leaseMax, org);
    if (n === 0) return this.refuse(now, this.retryAfter(cls, now));
    this.window.add(n, now);
    this.grants.set(id, { id, cls, n, at: now });
    if (this.grants.size > MAX_OPEN_GRANTS) this.grants.delete(this.grants.keys().next().value as string);
    return { grantId: id, granted: n, tier: this.tier(now), retryAfterMs: 0 };
  }

  private refuse(now: number, retryAfterMs: number): Decision {
    return { grantId: null, granted: 0, tier: this.tier(now), retryAfterMs: Math.round(retryAfterMs) };
  }

  /** Unspent tokens come back into the minute they were granted in. An unknown lease (forgotten,
   * or already returned: delivery is at least once) gives nothing back. Returns tokens taken back. */
  release(grantId: string, unused: number, _now: number): number {
    const g = this.grants.get(grantId);
    if (!g) return 0;
    this.grants.delete(grantId);
    return this.window.remove(Math.min(unused, g.n), g.at);
  }

  /** Calls made without a lease or beyond one, and what Salesforce said of the org. */
  report(r: UsageReport, now: number): void {
    this.window.add(r.calls, now);
    if (r.orgUsed !== undefined && r.orgMax !== undefined && (!this.org || r.at >= this.org.at)) {
      this.org = { used: r.orgUsed, max: r.orgMax, at: r.at, ownAt: this.own(now) };
    }
    if (r.limitExceeded) this.limitExceededAt = now;
  }

  /** Whether the org's figures should be read again now (only while it is exhausted). */
  orgCheckDue(now: number): boolean {
    if (!this.orgExhausted(now)) return false;
    return this.checkedAt === null || now - this.checkedAt >= this.timing.orgRecheckMs;
  }

  markOrgChecked(now: number): void {
    this.checkedAt = now;
  }

  /** The answer of `/limits`, read from `startedAt`. REQUEST_LIMIT_EXCEEDED seen after the read
   * began still stands: the read may predate it. */
  limitsRead(max: number, remaining: number, startedAt: number, now: number): void {
    this.org = { used: Math.max(0, max - remaining), max, at: now, ownAt: this.own(now) };
    if (remaining > 0 && this.limitExceededAt !== null && this.limitExceededAt <= startedAt) this.limitExceededAt = null;
  }

  /** Forgets leases older than `maxAgeMs`: they stay counted as fully spent. */
  expireGrants(now: number, maxAgeMs: number): number {
    let n = 0;
    for (const g of this.grants.values()) {
      if (now - g.at < maxAgeMs) break; // insertion order is grant order
      this.grants.delete(g.id);
      n++;
    }
    return n;
  }

  /** How long until enough use rolls off for `cls` to get a token again. */
  retryAfter(cls: RequestClass, now: number): number {
    if (this.limit === null) return this.timing.maxRetryMs;
    const excess = this.own(now) - thresholdFor(cls, this.limit) + 1;
    let ms = this.timing.maxRetryMs;
    let acc = 0;
    for (const [minute, calls] of this.window.buckets(now)) {
      acc += calls;
      if (acc >= excess) {
        ms = (minute + WINDOW_MINUTES) * MINUTE_MS - now;
        break;
      }
    }
    // Open leases may come back sooner than anything rolls off.
    if (this.grants.size > 0) ms = Math.min(ms, this.timing.minRetryMs * 2);
    return Math.min(this.timing.maxRetryMs, Math.max(this.timing.minRetryMs, ms));
  }

  indicator(ws: string, now: number): UsageIndicator {
    const own = this.own(now);
    const limit = this.limit ?? 0;
    const orgUsed = this.orgUsed(now);
    const orgMax = this.org?.max ?? null;
    const exhausted = this.orgExhausted(now);
    const orgLeft = orgMax !== null && orgUsed !== null ? Math.max(0, orgMax - orgUsed) : Number.POSITIVE_INFINITY;
    return {
      ws,
      orgLimit: orgMax,
      orgUsed,
      definedLimit: limit,
      usedByWorkspace: own,
      usedByOthers: this.othersUsed(),
      remaining: exhausted ? 0 : Math.min(Math.max(0, limit - own), orgLeft),
      consumptionPercent: limit > 0 ? consumption(own, limit) : 0,
      tier: this.tier(now),
      orgExhausted: exhausted,
      warning: this.limit === null ? null : warningFor(this.workspaceTier(now)),
      at: now,
    };
  }
}
