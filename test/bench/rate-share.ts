// How much of a rate limit a run used: from samples of a cumulative count of calls the service
// let through, the share of the allowed rate over the span in which calls were made, and per
// clock-aligned window (Intercom counts its limit in 10-second windows aligned to the clock). Pure.

export interface CallSample {
  /** Epoch ms. */
  at: number;
  /** Calls let through so far. */
  calls: number;
}

export interface WindowUse {
  start: number;
  calls: number;
  share: number;
}

export interface RateShare {
  /** From the first call to the last, in seconds. */
  spanSeconds: number;
  calls: number;
  /** Calls over the span against the limit over the same span. */
  share: number;
  /** The windows wholly inside the span. */
  windows: WindowUse[];
}

/** Calls counted by the last sample at or before `t`. */
function callsAt(samples: readonly CallSample[], t: number): number {
  let lo = 0;
  let hi = samples.length - 1;
  if (samples[0].at > t) return samples[0].calls;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (samples[mid].at <= t) lo = mid;
    else hi = mid - 1;
  }
  return samples[lo].calls;
}

/** When the calls counted by `samples` were made: from the sample before the first increase to the
 * first sample at the final count. */
export function spanOf(samples: readonly CallSample[]): { start: number; end: number } {
  if (samples.length === 0) return { start: 0, end: 0 };
  const first = samples[0].calls;
  const last = samples[samples.length - 1].calls;
  const i0 = Math.max(0, samples.findIndex((s) => s.calls > first) - 1);
  const i1 = samples.findIndex((s) => s.calls === last);
  return { start: samples[i0].at, end: samples[i1].at };
}

/** `span`: the part of the run to judge (default: the span of these calls). */
export function rateShare(
  samples: readonly CallSample[],
  limit: number,
  windowMs: number,
  span: { start: number; end: number } = spanOf(samples),
): RateShare {
  if (samples.length < 2) return { spanSeconds: 0, calls: 0, share: 0, windows: [] };
  const { start, end } = span;
  const spanMs = end - start;
  const calls = callsAt(samples, end) - callsAt(samples, start);
  const windows: WindowUse[] = [];
  for (let w = Math.ceil(start / windowMs) * windowMs; w + windowMs <= end; w += windowMs) {
    const n = callsAt(samples, w + windowMs) - callsAt(samples, w);
    windows.push({ start: w, calls: n, share: n / limit });
  }
  return { spanSeconds: spanMs / 1000, calls, share: spanMs > 0 ? calls / ((spanMs / windowMs) * limit) : 0, windows };
}
