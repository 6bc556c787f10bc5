// Handlers that need the same describe while it is being fetched share that fetch and its token
// lease: no handler leases a token it then hands back unused (near a tier threshold, each such
// return and the next lease moved a paused run back and forth).
import { describe, expect, it } from 'vitest';
import { SchemaSource } from '../../actors/mapping/service-schema.ts';
import { refusedFor } from '../../actors/refused-fields.ts';
import type { Uses } from '../../actors/services.ts';
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
  } as unknown as ActorContext<Uses<'salesforce'>>;
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

describe('SchemaSource: describes kept until known stale', () => {
  it('keeps a describe however long changes flow: no Salesforce call a minute', async () => {
    const { ctx, describes } = fakeContext();
    let now = 0;
    const source = new SchemaSource({ now: () => now });
    await source.describe(ctx, ['Contact'], 'event');
    for (let minute = 1; minute <= 30; minute++) {
      now = minute * 60_000 + 1;
      await source.describe(ctx, ['Contact'], 'event');
    }
    expect(describes).toEqual(['Contact']);
  });

  it('reads it again after a settings save and after Salesforce refused what it should have told', async () => {
    const { ctx, describes } = fakeContext();
    let now = 0;
    const source = new SchemaSource({ now: () => now });
    source.newerRevision(1);
    await source.describe(ctx, ['Contact'], 'event');
    now += 1;
    // A batch of a newer settings revision: the mapping reloads (maxAge 0).
    expect(source.newerRevision(2)).toBe(true);
    await source.describe(ctx, ['Contact'], 'event', 0);
    expect(describes).toEqual(['Contact', 'Contact']);
    // A field refused by some read or write of this client.
    refusedFor(ctx.deps.salesforce(ctx.ws)).add('Contact', 'Gone__c');
    await source.describe(ctx, ['Contact'], 'event');
    // A restricted picklist's value refused by a write.
    refusedFor(ctx.deps.salesforce(ctx.ws)).schemaChanged();
    await source.describe(ctx, ['Contact'], 'event');
    await source.describe(ctx, ['Contact'], 'event');
    expect(describes).toEqual(['Contact', 'Contact', 'Contact', 'Contact']);
  });
});
