import { describe, expect, it } from 'vitest';
import { UsageWindow, WINDOW_MINUTES } from '../../actors/quota/index.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

describe('UsageWindow', () => {
  it('counts calls over the last 24 hours', () => {
    const w = new UsageWindow();
    w.add(5, T0);
    w.add(3, T0 + 30_000);
    expect(w.total(T0)).toBe(8);
    w.add(2, T0 + 6 * HOUR);
    expect(w.total(T0 + 6 * HOUR)).toBe(10);
    expect(w.total(T0 + 23 * HOUR)).toBe(10);
  });

  it("a minute's calls roll off 1,440 minutes after that minute began", () => {
    const w = new UsageWindow();
    w.add(5, T0 + 10_000);
    w.add(7, T0 + MIN);
    expect(w.total(T0 + 24 * HOUR - 1)).toBe(12);
    expect(w.total(T0 + 24 * HOUR)).toBe(7);
    expect(w.total(T0 + 24 * HOUR + MIN - 1)).toBe(7);
    expect(w.total(T0 + 24 * HOUR + MIN)).toBe(0);
  });

  it('keeps at most one bucket per minute of the window', () => {
    const w = new UsageWindow();
    for (let m = 0; m < 3 * WINDOW_MINUTES; m += 1) w.add(1, T0 + m * MIN);
    const now = T0 + (3 * WINDOW_MINUTES - 1) * MIN;
    expect(w.total(now)).toBe(WINDOW_MINUTES);
    expect(w.snapshot().buckets).toHaveLength(WINDOW_MINUTES);
    expect(w.buckets(now)[0]).toEqual([now / MIN - WINDOW_MINUTES + 1, 1]);
  });

  it('calls stamped by a clock ahead of ours still count', () => {
    const w = new UsageWindow();
    w.add(2, T0 + 5 * MIN);
    w.add(1, T0);
    expect(w.total(T0)).toBe(3);
  });

  it('snapshot and restore round-trip, in a compact JSON-safe form', () => {
    const w = new UsageWindow();
    w.add(5, T0);
    w.add(9, T0 + HOUR);
    const snap = w.snapshot();
    expect(snap).toEqual({
      v: 1,
      buckets: [
        [T0 / MIN, 5],
        [T0 / MIN + 60, 9],
      ],
    });
    const back = UsageWindow.restore(JSON.parse(JSON.stringify(snap)));
    expect(back.total(T0 + HOUR)).toBe(14);
    expect(back.total(T0 + 24 * HOUR)).toBe(9);
    back.add(1, T0 + HOUR);
    expect(back.snapshot().buckets).toEqual([
      [T0 / MIN, 5],
      [T0 / MIN + 60, 10],
    ]);
    expect(UsageWindow.restore({ v: 1, buckets: [] }).total(T0)).toBe(0);
  });

  it('bad input is an error naming what is wrong', () => {
    const w = new UsageWindow();
    expect(() => w.add(-1, T0)).toThrow(/calls must be a whole number >= 0, got -1/);
    expect(() => w.add(1.5, T0)).toThrow(/calls/);
    expect(() => w.add(1, Number.NaN)).toThrow(/now must be epoch milliseconds/);
    expect(() => UsageWindow.restore(null)).toThrow(/must be an object/);
    expect(() => UsageWindow.restore({ v: 2, buckets: [] })).toThrow(/unknown version 2/);
    expect(() => UsageWindow.restore({ v: 1 })).toThrow(/buckets array/);
    expect(() => UsageWindow.restore({ v: 1, buckets: [[1, -3]] })).toThrow(/bucket 0 must be \[minute, calls\]/);
  });
});
