import { describe, expect, it } from 'vitest';
import { settleLimited } from '../../actors/writer/index.ts';

describe('settleLimited', () => {
  it('runs at most `limit` calls at once and keeps every outcome in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await settleLimited([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n * 3));
      inFlight -= 1;
      if (n === 4) throw new Error('four');
      return n * 10;
    });
    expect(peak).toBe(2);
    expect(out.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([50, 10, 'four', 20, 30, 0]);
  });

  it('handles an empty list and refuses a limit below one', async () => {
    expect(await settleLimited([], 4, async () => 1)).toEqual([]);
    await expect(settleLimited([1], 0, async () => 1)).rejects.toThrow(/limit must be >= 1/);
  });
});
