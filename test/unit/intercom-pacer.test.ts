// The shared rate-limit pacer, driven by answers' X-RateLimit-* values, without a server.
import { describe, expect, it } from 'vitest';
import { RatePacer, readRateHeaders } from '../../connectors/intercom/index.ts';

describe('RatePacer', () => {
  it('lets calls through while the budget is unknown or has room', async () => {
    const p = new RatePacer();
    await p.acquire();
    p.release({ limit: 10, remaining: 5, resetAtMs: Date.now() + 5_000 });
    for (let i = 0; i < 5; i += 1) expect((await p.acquire()).waitedMs).toBeLessThan(50);
    expect(p.state()).toMatchObject({ remaining: 5, inFlight: 5 });
  });

  it('counts calls in flight against the room left and waits for the reset when it is used up', async () => {
    const p = new RatePacer({ marginMs: 10 });
    await p.acquire();
    const reset = Date.now() + 200;
    p.release({ limit: 3, remaining: 2, resetAtMs: reset });
    await p.acquire();
    await p.acquire();
    const third = p.acquire();
    const t0 = Date.now();
    const { waitedMs } = await third;
    expect(Date.now()).toBeGreaterThanOrEqual(reset + 10);
    expect(waitedMs).toBeGreaterThanOrEqual(Date.now() - t0 - 5);
    // After the reset the full limit applies again, minus what is still in flight.
    expect(p.state()).toMatchObject({ remaining: 3, inFlight: 3 });
  });

  it('keeps the lowest remaining of a window and ignores answers from a window already over', () => {
    const p = new RatePacer();
    const reset = Date.now() + 5_000;
    p.release({ limit: 10, remaining: 4, resetAtMs: reset });
    p.release({ limit: 10, remaining: 6, resetAtMs: reset });
    expect(p.state().remaining).toBe(4);
    p.release({ limit: 10, remaining: 0, resetAtMs: Date.now() - 1_000 });
    expect(p.state().remaining).toBe(4);
    p.release({ limit: 10, remaining: 9, resetAtMs: reset + 10_000 });
    expect(p.state()).toMatchObject({ remaining: 9, resetAtMs: reset + 10_000 });
  });

  it('blocks everyone until the reset of a 429, or a fallback wait when the 429 said nothing', async () => {
    const p = new RatePacer({ marginMs: 0, fallbackWaitMs: 150 });
    const waitMs = p.blockUntilReset({});
    expect(waitMs).toBeGreaterThan(100);
    const started = Date.now();
    await Promise.all([p.acquire(), p.acquire()]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('does not wait forever when nothing is in flight and no reset is known', async () => {
    const p = new RatePacer({ reserve: 5 });
    await p.acquire();
    p.release({ limit: 5, remaining: 5 });
    await expect(p.acquire()).resolves.toMatchObject({ waitedMs: expect.any(Number) });
    expect(() => new RatePacer({ reserve: -1 })).toThrow(/reserve must be an integer >= 0/);
  });

  it('reads headers, leaving malformed ones undefined', () => {
    const h = new Map([
      ['x-ratelimit-limit', '1666'],
      ['x-ratelimit-remaining', 'n/a'],
      ['x-ratelimit-reset', '1700000010'],
    ]);
    expect(readRateHeaders((n) => h.get(n))).toEqual({ limit: 1666, remaining: undefined, resetAtMs: 1_700_000_010_000 });
  });
});
