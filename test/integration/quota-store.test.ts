// The quota state in KV: commits arriving together share a write, every commit resolves only once
// a write that began after it is stored, and a leader whose key another leader wrote is fenced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { LedgerStore, QuotaFencedError } from '../../actors/quota/index.ts';
import { topology } from '../../protocol/index.ts';
import { type TypedKv, provision, typedKv } from '../../runtime/index.ts';
import { type NatsServerHandle, startNatsServer } from '../helpers/nats-server.ts';
import { connectAs } from '../helpers/host.ts';

let server: NatsServerHandle;
let nc: NatsConnection;
let kv: TypedKv;
beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectAs(server);
  await provision(nc, topology(), 1);
  kv = typedKv(await nc.jetstream().views.kv('peoplesync_quota'), 'peoplesync_quota', nc);
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe('quota state store', () => {
  it('commits made while a write is in flight share the next write, and each sees its own change stored', async () => {
    let state = 0;
    const store = new LedgerStore(kv, 'wsA', () => ({ state }));
    expect(await store.load()).toBeNull();
    await store.commit();
    const first = (await kv.getRaw('wsA'))?.revision as number;
    const done: Promise<number>[] = [];
    for (let i = 1; i <= 100; i++) {
      state = i;
      const mine = i;
      done.push(store.commit().then(async () => (((await kv.getRaw('wsA'))?.value as { state: number }).state >= mine ? mine : -mine)));
    }
    expect(await Promise.all(done)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const last = await kv.getRaw('wsA');
    expect(last?.value).toEqual({ state: 100 });
    // The first of the 100 went alone (nothing was in flight); the other 99 shared the next write.
    expect((last?.revision as number) - first).toBe(2);
    await store.settled();
  });

  it('a leader whose key another leader wrote stops writing', async () => {
    const old = new LedgerStore(kv, 'wsB', () => ({ by: 'old' }));
    await old.load();
    await old.commit();
    const next = new LedgerStore(kv, 'wsB', () => ({ by: 'new' }));
    await next.load();
    await next.commit();
    await expect(old.commit()).rejects.toBeInstanceOf(QuotaFencedError);
    expect(old.fenced).toBe(true);
    await expect(old.commit()).rejects.toThrow(/written by another leader/);
    expect((await kv.getRaw('wsB'))?.value).toEqual({ by: 'new' });
    await next.commit();
    expect(next.fenced).toBe(false);
  });
});
