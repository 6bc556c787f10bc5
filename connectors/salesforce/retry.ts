// Bounded exponential backoff with jitter, for the connector's own retries (jsforce's are
// switched off so that every attempt is one reported call).

import { ConnectorError } from '../errors.ts';
import type { RetryPolicy } from './types.ts';

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 8_000 };

export function resolveRetry(p: Partial<RetryPolicy> | undefined): RetryPolicy {
  const out = { ...DEFAULT_RETRY, ...Object.fromEntries(Object.entries(p ?? {}).filter(([, v]) => v !== undefined)) };
  if (!Number.isInteger(out.attempts) || out.attempts < 1)
    throw new Error(`retry.attempts must be a positive integer, got ${String(out.attempts)}`);
  if (!(out.baseDelayMs >= 0) || !(out.maxDelayMs >= 0)) throw new Error('retry delays must be non-negative numbers');
  return out;
}

/** Delay before try `attempt + 1` (attempt counts from 1): base·2^(attempt-1), capped, jittered
 * to between half and all of it so that many clients do not retry in step. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(full * (0.5 + random() / 2));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` until it succeeds, fails with a non-retryable error, or the attempts run out. */
export async function withRetry<T>(policy: RetryPolicy, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!(err instanceof ConnectorError && err.retryable) || attempt >= policy.attempts) throw err;
      const hinted = err instanceof ConnectorError ? err.retryAfterMs : undefined;
      await sleep(Math.max(hinted ?? 0, backoffDelay(policy, attempt)));
    }
  }
}
