import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanos } from 'nats';
import { topology } from '../../protocol/index.ts';
import { provision } from '../../runtime/index.ts';
import { connectAs } from '../helpers/host.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';

let server: NatsServerHandle;
beforeAll(async () => { server = await startNatsServer(); });
afterAll(async () => { await server?.stop(); });

describe('provisioning', () => {
  it('is idempotent and brings an existing lease bucket to the configured TTL', async () => {
    const nc = await connectAs(server);
    try {
      await provision(nc, topology({ leaseTtlMs: 6_000 }), 1);
      await provision(nc, topology({ leaseTtlMs: 6_000 }), 1); // nothing to change the second time
      await provision(nc, topology({ leaseTtlMs: 1_500 }), 1);
      const jsm = await nc.jetstreamManager();
      const leases = (await jsm.streams.info('KV_peoplesync_leases')).config;
      expect(leases.max_age).toBe(nanos(1_500));
      expect(leases.duplicate_window).toBeLessThanOrEqual(nanos(1_500));
      expect((await jsm.streams.info('PEOPLESYNC_WORK')).config.retention).toBe('workqueue');
      expect((await jsm.streams.info('KV_peoplesync_settings')).config.max_msgs_per_subject).toBe(32);
    } finally {
      await nc.close();
    }
  });
});
