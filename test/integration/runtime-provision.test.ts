import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanos } from 'nats';
import { topology } from '../../protocol/index.ts';
import { provision } from '../../runtime/index.ts';
import { connectAs, startHost } from '../helpers/host.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';

let server: NatsServerHandle;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('provisioning', () => {
  it('is idempotent, and turns a lease bucket with a bucket-level TTL into one of entries with their own', async () => {
    const nc = await connectAs(server);
    try {
      const jsm = await nc.jetstreamManager();
      // As 2.9-era provisioning made it: every entry expired with the bucket's max age.
      await nc.jetstream().views.kv('peoplesync_leases', { ttl: 6_000 });
      await provision(nc, topology(), 1);
      await provision(nc, topology(), 1); // nothing to change the second time
      const leases = (await jsm.streams.info('KV_peoplesync_leases')).config as { max_age: number; allow_msg_ttl?: boolean };
      expect(leases.max_age).toBe(0);
      expect(leases.allow_msg_ttl).toBe(true);
      const events = (await jsm.streams.info('PEOPLESYNC_EVENTS')).config;
      expect(events.max_age).toBe(nanos(7 * 86_400_000));
      expect((await jsm.streams.info('PEOPLESYNC_DLQ')).config.allow_direct).toBe(true);
      expect((await jsm.streams.info('PEOPLESYNC_WORK')).config.retention).toBe('workqueue');
      expect((await jsm.streams.info('KV_peoplesync_settings')).config.max_msgs_per_subject).toBe(32);
    } finally {
      await nc.close();
    }
  });

  it('gives a bucket made without direct gets them, and hosts read every bucket by direct get', async () => {
    const nc = await connectAs(server, 'admin');
    const h = await startHost(server, []);
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete('KV_peoplesync_links');
      await nc.jetstream().views.kv('peoplesync_links', { allow_direct: false });
      expect((await jsm.streams.info('KV_peoplesync_links')).config.allow_direct).toBe(false);
      await provision(nc, topology(), 1);
      expect((await jsm.streams.info('KV_peoplesync_links')).config.allow_direct).toBe(true);
      // Requests to the JetStream API are counted at /jsz; a direct get is answered by the
      // stream itself, outside that count.
      const apiTotal = async () =>
        ((await (await fetch(`http://127.0.0.1:${server.monitorPort}/jsz`)).json()) as { api: { total: number } }).api.total;
      const kv = await h.host.kv('links');
      await kv.put('ws1.ic.x', { Lead: '00Q000000000001AAA' });
      const before = await apiTotal();
      for (let i = 0; i < 20; i++) {
        expect((await kv.getRaw('ws1.ic.x'))?.value).toEqual({ Lead: '00Q000000000001AAA' });
        expect(await kv.getRaw(`ws1.ic.missing${i}`)).toBeNull();
      }
      expect(await apiTotal()).toBe(before);
    } finally {
      await h.stop();
      await nc.close();
    }
  });
});
