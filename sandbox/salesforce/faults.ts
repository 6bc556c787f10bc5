// Faults a test can switch on: slow answers, 5xx, dropped connections, expired sessions,
// UNABLE_TO_LOCK_ROW on writes, and change events lost or late. Rates draw from a seeded Rng so a failing run can be replayed;
// the `next` counters make a fault happen exactly N times.

import { mulberry32, type Rng } from '../prng.ts';

export interface FaultSettings {
  /** Added before every /services/data answer. */
  latencyMs: number;
  /** Share of /services/data calls answered 503 SERVER_UNAVAILABLE. */
  errorRate: number;
  /** The next N /services/data calls are answered 503. */
  errorNext: number;
  /** Share of /services/data calls whose socket is destroyed without an answer. */
  dropRate: number;
  /** The next N /services/data calls are dropped. */
  dropNext: number;
  /** The next N /services/data calls answer 401 INVALID_SESSION_ID whatever their token, as
   * when an admin revokes the connected app: fresh sessions are refused too. */
  unauthorizedNext: number;
  /** The next N /services/data calls hit the concurrent long-request limit (403). */
  concurrencyLimitNext: number;
  /** Share of records in a write that fail with UNABLE_TO_LOCK_ROW. */
  lockRowRate: number;
  /** Record Ids that fail with UNABLE_TO_LOCK_ROW, each the given number of times. */
  lockRowIds: Record<string, number>;
  /** The next N change events are lost: never delivered, not kept for replay. */
  eventDropNext: number;
  /** Share of change events lost. */
  eventDropRate: number;
  /** Added before each change event is delivered. */
  eventDelayMs: number;
  /** Seed of the rates' Rng. */
  seed: number;
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  errorNext: 0,
  dropRate: 0,
  dropNext: 0,
  unauthorizedNext: 0,
  concurrencyLimitNext: 0,
  lockRowRate: 0,
  lockRowIds: {},
  eventDropNext: 0,
  eventDropRate: 0,
  eventDelayMs: 0,
  seed: 1,
};

export type CallFault = 'none' | 'error' | 'drop' | 'concurrency' | 'unauthorized';

export class FaultInjector {
  private settings: FaultSettings = { ...NO_FAULTS, lockRowIds: {} };
  private rng: Rng = mulberry32(NO_FAULTS.seed);

  get current(): FaultSettings {
    return { ...this.settings, lockRowIds: { ...this.settings.lockRowIds } };
  }

  set(patch: Partial<FaultSettings>): FaultSettings {
    for (const key of [
      'latencyMs',
      'errorRate',
      'errorNext',
      'dropRate',
      'dropNext',
      'unauthorizedNext',
      'concurrencyLimitNext',
      'lockRowRate',
      'eventDropNext',
      'eventDropRate',
      'eventDelayMs',
      'seed',
    ] as const) {
      const v = patch[key];
      if (v !== undefined && (typeof v !== 'number' || !(v >= 0)))
        throw new Error(`fault ${key} must be a non-negative number, got ${String(v)}`);
    }
    for (const key of ['errorRate', 'dropRate', 'lockRowRate', 'eventDropRate'] as const) {
      const v = patch[key];
      if (v !== undefined && v > 1) throw new Error(`fault ${key} must be at most 1, got ${v}`);
    }
    this.settings = { ...this.settings, ...patch, lockRowIds: { ...this.settings.lockRowIds, ...patch.lockRowIds } };
    if (patch.seed !== undefined) this.rng = mulberry32(patch.seed);
    return this.current;
  }

  clear(): void {
    this.settings = { ...NO_FAULTS, lockRowIds: {} };
    this.rng = mulberry32(NO_FAULTS.seed);
  }

  /** Decides the fate of one API call. */
  forCall(): CallFault {
    const s = this.settings;
    if (s.dropNext > 0) {
      s.dropNext--;
      return 'drop';
    }
    if (s.errorNext > 0) {
      s.errorNext--;
      return 'error';
    }
    if (s.unauthorizedNext > 0) {
      s.unauthorizedNext--;
      return 'unauthorized';
    }
    if (s.concurrencyLimitNext > 0) {
      s.concurrencyLimitNext--;
      return 'concurrency';
    }
    if (s.dropRate > 0 && this.rng() < s.dropRate) return 'drop';
    if (s.errorRate > 0 && this.rng() < s.errorRate) return 'error';
    return 'none';
  }

  /** Whether this change event is lost. */
  dropEvent(): boolean {
    const s = this.settings;
    if (s.eventDropNext > 0) {
      s.eventDropNext--;
      return true;
    }
    return s.eventDropRate > 0 && this.rng() < s.eventDropRate;
  }

  /** Whether writing this record should fail with UNABLE_TO_LOCK_ROW now. */
  lockRow(id: string): boolean {
    const left = this.settings.lockRowIds[id];
    if (left !== undefined && left > 0) {
      if (left === 1) delete this.settings.lockRowIds[id];
      else this.settings.lockRowIds[id] = left - 1;
      return true;
    }
    return this.settings.lockRowRate > 0 && this.rng() < this.settings.lockRowRate;
  }
}
