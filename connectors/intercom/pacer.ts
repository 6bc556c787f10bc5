// A pacer shared by every caller of one Intercom app. It follows what the service says in
// X-RateLimit-Limit/Remaining/Reset: while the window has room callers pass; when the room left
// (minus requests already in flight) is used up, they all wait for the same reset instead of
// each discovering the limit with its own 429.

export interface RateHeaders {
  limit?: number;
  remaining?: number;
  /** Epoch ms of the window end. */
  resetAtMs?: number;
}

export interface PacerOptions {
  /** Requests to leave unused in each window (for other integrations of the app). */
  reserve: number;
  /** Waited past the announced reset, against clock skew and second rounding. */
  marginMs: number;
  /** Assumed wait when a 429 carries no reset header. */
  fallbackWaitMs: number;
  /** Requests in flight at once (the connections kept alive): one that passes goes out at once
   * instead of queueing in the HTTP client, where it could no longer be withdrawn. */
  maxInFlight: number;
  now: () => number;
}

export interface PacerWait {
  waitedMs: number;
}

/** Reads the X-RateLimit-* headers; missing or malformed ones stay undefined. */
export function readRateHeaders(get: (name: string) => string | null | undefined): RateHeaders {
  const num = (name: string) => {
    const raw = get(name);
    const n = raw === null || raw === undefined || raw === '' ? NaN : Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  const reset = num('x-ratelimit-reset');
  return {
    limit: num('x-ratelimit-limit'),
    remaining: num('x-ratelimit-remaining'),
    resetAtMs: reset === undefined ? undefined : reset * 1000,
  };
}

export class RatePacer {
  private limit: number | undefined;
  private remaining: number | undefined;
  private resetAtMs: number | undefined;
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private readonly opts: PacerOptions;

  constructor(opts: Partial<PacerOptions> = {}) {
    this.opts = { reserve: 0, marginMs: 100, fallbackWaitMs: 1000, maxInFlight: Infinity, now: Date.now, ...opts };
    if (!(Number.isInteger(this.opts.reserve) && this.opts.reserve >= 0)) {
      throw new RangeError(`pacer reserve must be an integer >= 0, got ${this.opts.reserve}`);
    }
  }

  state(): { limit?: number; remaining?: number; resetAtMs?: number; inFlight: number } {
    return { limit: this.limit, remaining: this.remaining, resetAtMs: this.resetAtMs, inFlight: this.inFlight };
  }

  /** Resolves when a request may go out; the caller must call `release` once it has an answer. */
  async acquire(): Promise<PacerWait> {
    const started = this.opts.now();
    for (;;) {
      const now = this.opts.now();
      this.rollWindow(now);
      // With nothing in flight and no reset known, no answer will come to wait for: go.
      const nothingToWaitFor = this.inFlight === 0 && this.resetAtMs === undefined;
      const room = this.remaining === undefined || nothingToWaitFor || this.remaining - this.inFlight > this.opts.reserve;
      if (room && this.inFlight < this.opts.maxInFlight) {
        this.inFlight += 1;
        return { waitedMs: now - started };
      }
      if (room) await new Promise<void>((resolve) => this.waiters.push(resolve));
      else if (this.resetAtMs !== undefined) await this.sleep(this.resetAtMs + this.opts.marginMs - now);
      else await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Records an answer (its headers when it had them) and frees the request's slot. */
  release(h: RateHeaders = {}): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.observe(h);
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** A 429: nothing more goes out until the reset it announced (or a fallback wait). */
  blockUntilReset(h: RateHeaders): number {
    const now = this.opts.now();
    const resetAtMs = h.resetAtMs !== undefined && h.resetAtMs > now ? h.resetAtMs : now + this.opts.fallbackWaitMs;
    this.remaining = 0;
    this.resetAtMs = Math.max(this.resetAtMs ?? 0, resetAtMs);
    return this.resetAtMs + this.opts.marginMs - now;
  }

  private observe(h: RateHeaders): void {
    if (h.limit !== undefined) this.limit = h.limit;
    if (h.remaining === undefined || h.resetAtMs === undefined) return;
    // An answer from a window that has already ended says nothing about the current one.
    if (h.resetAtMs <= this.opts.now()) return;
    if (this.resetAtMs === undefined || h.resetAtMs > this.resetAtMs) {
      this.resetAtMs = h.resetAtMs;
      this.remaining = h.remaining;
    } else if (h.resetAtMs === this.resetAtMs) {
      // Answers overtake each other; within a window the budget only shrinks.
      this.remaining = Math.min(this.remaining ?? h.remaining, h.remaining);
    }
  }

  /** Once the window has ended, the full limit is available again until an answer says otherwise. */
  private rollWindow(now: number): void {
    if (this.resetAtMs !== undefined && now >= this.resetAtMs + this.opts.marginMs) {
      this.resetAtMs = undefined;
      this.remaining = this.limit;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
  }
}
