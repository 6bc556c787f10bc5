// Fixed-window rate limiting as Intercom does it: a budget per window (10 s on the real service),
// windows aligned to the clock, the state reported on every answer in X-RateLimit-* headers.
import { SandboxInputError } from './errors.ts';
import type { RateLimitOptions } from './types.ts';

export interface RateLimitVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the current window ends. */
  resetSec: number;
}

export function assertRateLimit(opts: RateLimitOptions): void {
  if (!Number.isInteger(opts.limit) || opts.limit < 1) {
    throw new SandboxInputError(`rateLimit.limit must be a positive integer, got ${opts.limit}`);
  }
  if (!Number.isInteger(opts.windowMs) || opts.windowMs < 1000 || opts.windowMs % 1000 !== 0) {
    throw new SandboxInputError(
      `rateLimit.windowMs must be a whole number of seconds (X-RateLimit-Reset is in seconds), got ${opts.windowMs}`,
    );
  }
}

export class WindowLimiter {
  private windowStart = -1;
  private used = 0;

  constructor(private readonly opts: RateLimitOptions) {
    assertRateLimit(opts);
  }

  /** Counts one request if the window has room; a refused request does not use the budget. */
  take(nowMs: number): RateLimitVerdict {
    this.roll(nowMs);
    const allowed = this.used < this.opts.limit;
    if (allowed) this.used += 1;
    return this.verdict(allowed);
  }

  /** The current state without counting (for answers that are not counted). */
  peek(nowMs: number): RateLimitVerdict {
    this.roll(nowMs);
    return this.verdict(true);
  }

  private roll(nowMs: number): void {
    const start = Math.floor(nowMs / this.opts.windowMs) * this.opts.windowMs;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
  }

  private verdict(allowed: boolean): RateLimitVerdict {
    return {
      allowed,
      limit: this.opts.limit,
      remaining: Math.max(0, this.opts.limit - this.used),
      resetSec: (this.windowStart + this.opts.windowMs) / 1000,
    };
  }
}

/** The message the service sends with a 429, e.g. "Exceeded rate limit of 167 in 10_seconds". */
export function rateLimitMessage(opts: RateLimitOptions): string {
  return `Exceeded rate limit of ${opts.limit} in ${opts.windowMs / 1000}_seconds`;
}
