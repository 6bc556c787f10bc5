// Handlers that need the same describe while it is being fetched share that fetch and its token
// lease: no handler leases a token it then hands back unused (near a tier threshold, each such
// return and the next lease moved a paused run back and forth).
import { describe, expect, it } from 'vitest';
import { SchemaSource } from '../../actors/mapping/service-schema.ts';
import type { ActorContext } from '../../runtime/index.ts';

function fakeContext() {
  const leases: { cls: string; n: number }[] = [];
  const describes: string[] = [];
  const sf = {
    describe: async (o: string) => {
      describes.push(o);
      await new Promise((r) => setTimeout(r, 20));
      return { name: o, fields: [] };
    },
  };
  const ctx = {
    ws: 'ws1',
    deps: { salesforce: () => sf },
    // Tokens take a while to come, as at a tier threshold.
    withTokens: async (cls: string, n: number, fn: () => Promise<unknown>) => {
      leases.push({ cls, n });
      await new Promise((r) => setTimeout(r, 50));
      return fn();
    },
  } as unknown as ActorContext;
  return { ctx, leases, describes };
}

describe('SchemaSource.describe', () => {
  it('fetches each describe once under one lease however many handlers ask at once', async () => {
    const { ctx, leases, describes } = fakeContext();
    const source = new SchemaSource();
    const results = await Promise.all(Array.from({ length: 6 }, () => source.describe(ctx, ['Lead', 'Contact'], 'bulk')));
    expect(leases).toEqual([{ cls: 'bulk', n: 2 }]);
    expect(describes.sort()).toEqual(['Contact', 'Lead']);
    for (const r of results) expect(Object.keys(r).sort()).toEqual(['Contact', 'Lead']);
    // Cached now: no lease at all.
    await source.describe(ctx, ['Lead'], 'bulk');
    expect(leases).toHaveLength(1);
  });

  it('does not make another class wait for a lease its tier may refuse', async () => {
    const { ctx, leases } = fakeContext();
    const source = new SchemaSource();
    await Promise.all([source.describe(ctx, ['Lead'], 'bulk'), source.describe(ctx, ['Lead'], 'event')]);
    expect(leases.map((l) => l.cls).sort()).toEqual(['bulk', 'event']);
  });
});
