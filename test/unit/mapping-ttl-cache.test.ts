import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../actors/mapping/index.ts';

describe('TtlCache', () => {
  it('serves a value until it is older than the TTL, then loads again', async () => {
    let now = 1_000;
    const c = new TtlCache<string>(100, () => now);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await c.get('k', load)).toBe('v1');
    now += 100;
    expect(await c.get('k', load)).toBe('v1');
    now += 1;
    expect(await c.get('k', load)).toBe('v2');
    expect(c.peek('k')).toBe('v2');
  });

  it('lets a caller ask for a fresher value than the TTL', async () => {
    let now = 0;
    const c = new TtlCache<number>(60_000, () => now);
    let loads = 0;
    await c.get('k', async () => ++loads);
    now += 20;
    expect(c.peek('k', 10)).toBeUndefined();
    expect(await c.get('k', async () => ++loads, 10)).toBe(2);
    expect(await c.get('k', async () => ++loads, 0)).toBe(2); // same instant: still fresh
    now += 1;
    expect(await c.get('k', async () => ++loads, 0)).toBe(3);
  });

  it('shares one load among concurrent callers of a key, and keeps keys apart', async () => {
    const c = new TtlCache<string>(1_000);
    let loads = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const load = async () => {
      loads += 1;
      await gate;
      return 'lead';
    };
    const all = Promise.all([c.get('Lead', load), c.get('Lead', load), c.get('Lead', load)]);
    const other = c.get('Contact', async () => 'contact');
    release();
    expect(await all).toEqual(['lead', 'lead', 'lead']);
    expect(await other).toBe('contact');
    expect(loads).toBe(1);
  });

  it('a caller content with the cached value still waits for a reload already under way', async () => {
    let now = 0;
    const c = new TtlCache<string>(60_000, () => now);
    await c.get('k', async () => 'old');
    now += 1_000;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const fresh = c.get(
      'k',
      async () => {
        await gate;
        return 'new';
      },
      0,
    );
    const relaxed = c.get('k', async () => 'unused');
    release();
    expect(await fresh).toBe('new');
    expect(await relaxed).toBe('new');
  });

  it('does not cache a failed load', async () => {
    const c = new TtlCache<string>(1_000);
    await expect(
      c.get('k', async () => {
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    expect(await c.get('k', async () => 'up')).toBe('up');
  });

  it('forgets on invalidate and refuses a negative TTL', async () => {
    const c = new TtlCache<string>(1_000);
    await c.get('a', async () => 'x');
    c.invalidate('a');
    expect(c.peek('a')).toBeUndefined();
    expect(() => new TtlCache(-1)).toThrow(/ttlMs must be >= 0/);
  });
});
