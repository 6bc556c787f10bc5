// What the runtime asks of nats-server, against the real one: its version checked on connecting,
// KV batches read by batched direct gets (delete markers included), keys listed while written,
// and entries that expire by a TTL of their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import {
  MIN_NATS_SERVER,
  NatsServerTooOldError,
  type TypedKv,
  connectNats,
  createLogger,
  requireNatsServer,
  versionAtLeast,
} from '../../runtime/index.ts';
import { provisioned, waitFor } from '../helpers/host.ts';
import { USERS, startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';

let server: NatsServerHandle;
let nc: NatsConnection;
let index: TypedKv;
let leases: TypedKv;

beforeAll(async () => {
  server = await startNatsServer();
  const p = await provisioned(server);
  nc = p.nc;
  index = await p.bucket(p.buckets.index.name);
  leases = await p.bucket(p.buckets.leases.name);
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

describe('the nats-server peoplesync runs on', () => {
  it('is checked on connecting: this one is accepted, an older one than required is refused naming both', async () => {
    expect(versionAtLeast(nc.info!.version, MIN_NATS_SERVER)).toBe(true);
    const worker = await connectNats({ servers: [server.url], replicas: 1, ...USERS.worker }, createLogger({ level: 'silent' }));
    await worker.close();
    expect(() => requireNatsServer(nc, '99.0.0')).toThrow(NatsServerTooOldError);
    expect(() => requireNatsServer(nc, '99.0.0')).toThrow(`nats-server ${nc.info!.version} at`);
    expect(() => requireNatsServer(nc, '99.0.0')).toThrow('needs nats-server 99.0.0 or newer');
  });

  it('orders versions as releases: pre-releases before their release', () => {
    expect(versionAtLeast('2.9.10', '2.11.0')).toBe(false);
    expect(versionAtLeast('2.11.0-RC.2', '2.11.0')).toBe(false);
    expect(versionAtLeast('2.11.0', '2.11.0')).toBe(true);
    expect(versionAtLeast('v2.15.3', '2.11.0')).toBe(true);
    expect(versionAtLeast('3.0.0', '2.11.0')).toBe(true);
    expect(versionAtLeast('garbage', '2.11.0')).toBe(false);
  });

  it('reads a batch of keys in one request, deleted and missing keys as none, in the order asked', async () => {
    const keys = Array.from({ length: 1_500 }, (_, i) => `t.c.k${i}`);
    await Promise.all(keys.map((k, i) => index.put(k, { i })));
    await index.delete('t.c.k7');
    await index.put('t.c.k9', { i: 'again' });
    const asked = ['t.c.k9', 't.c.missing', 't.c.k7', ...keys.slice(10)];
    const got = await index.getMany(asked);
    expect(got).toHaveLength(asked.length);
    expect(got[0]?.value).toEqual({ i: 'again' });
    expect(got[1]).toBeNull();
    expect(got[2]).toBeNull();
    // After a delete marker, a batch still goes on to its end (more than one request's worth).
    expect(got.slice(3).map((v) => (v?.value as { i: number }).i)).toEqual(keys.slice(10).map((_, i) => i + 10));
    expect(got[0]?.revision).toBe((await index.getRaw('t.c.k9'))?.revision);
  });

  it('lists every live key under a filter while the keys are being rewritten', async () => {
    for (let r = 0; r < 5; r++) await index.put(`h.runs.r${r}`, { r, n: 0 });
    await index.put('h.current', { r: 4 });
    await index.delete('h.runs.r2');
    let n = 0;
    const writer = setInterval(() => void index.put('h.runs.r4', { r: 4, n: ++n }), 1);
    try {
      for (let i = 0; i < 20; i++) {
        const listed: string[] = [];
        for await (const e of index.list('h.runs.*')) listed.push(e.key);
        expect(listed.sort()).toEqual(['h.runs.r0', 'h.runs.r1', 'h.runs.r3', 'h.runs.r4']);
      }
    } finally {
      clearInterval(writer);
    }
  });

  it('lets an entry expire by its own TTL, and creates it again once expired', async () => {
    const rev = await leases.create('ttl.a', { holder: 'a' }, { ttlMs: 1_000 });
    await expect(leases.create('ttl.a', { holder: 'b' }, { ttlMs: 1_000 })).rejects.toThrow(/exists/);
    await leases.update('ttl.a', { holder: 'a' }, rev, { ttlMs: 1_000 });
    await waitFor(async () => (await leases.getRaw('ttl.a')) === null, { what: 'expiry', timeoutMs: 5_000 });
    expect(await leases.create('ttl.a', { holder: 'b' }, { ttlMs: 1_000 })).toBeGreaterThan(rev);
    // A key deleted on purpose is created again over its marker.
    await leases.delete('ttl.a');
    await leases.create('ttl.a', { holder: 'c' }, { ttlMs: 1_000 });
    expect((await leases.getRaw('ttl.a'))?.value).toEqual({ holder: 'c' });
  });
});
