import { describe, expect, it } from 'vitest';
import { type CallSample, rateShare } from '../bench/rate-share.ts';

/** Samples every 100 ms of a service letting `perWindow` calls through each 10 s window, evenly. */
function steady(fromMs: number, toMs: number, perWindow: number, idleBefore = 0): CallSample[] {
  const out: CallSample[] = [];
  for (let t = fromMs - idleBefore; t <= toMs + 2_000; t += 100) {
    const inside = Math.min(Math.max(t - fromMs, 0), toMs - fromMs);
    out.push({ at: t, calls: Math.floor((inside / 10_000) * perWindow) });
  }
  return out;
}

describe('rate share', () => {
  it('is the calls over the span of calls against the limit, and per aligned window', () => {
    const r = rateShare(steady(1_000_000, 1_060_000, 1_583), 1_666, 10_000);
    expect(r.spanSeconds).toBeCloseTo(60, 0);
    expect(r.share).toBeCloseTo(0.95, 2);
    expect(r.windows).toHaveLength(6);
    for (const w of r.windows) expect(w.share).toBeGreaterThan(0.93);
  });

  it('leaves out the idle time before the first call and after the last', () => {
    const r = rateShare(steady(1_000_000, 1_030_000, 833, 20_000), 1_666, 10_000);
    expect(r.spanSeconds).toBeCloseTo(30, 0);
    expect(r.share).toBeCloseTo(0.5, 2);
  });

  it('judges the span it is given: the calls of all kinds made while updates were made', () => {
    const all = steady(1_000_000, 1_060_000, 1_583);
    const r = rateShare(all, 1_666, 10_000, { start: 1_020_000, end: 1_040_000 });
    expect(r.spanSeconds).toBe(20);
    expect(r.calls).toBe(3_166);
    expect(r.windows).toHaveLength(2);
  });

  it('says nothing was used when nothing was called', () => {
    expect(
      rateShare(
        [
          { at: 0, calls: 5 },
          { at: 1_000, calls: 5 },
        ],
        1_666,
        10_000,
      ),
    ).toMatchObject({ calls: 0, share: 0, windows: [] });
  });
});
