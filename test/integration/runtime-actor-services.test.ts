// A host refuses at start an actor whose declared services it was not given, before it touches
// NATS; an activation's `ctx.deps` holds the services its actor declared and no others, and
// `ctx.config` the configuration values, apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uses } from '../../actors/services.ts';
import { topology } from '../../protocol/index.ts';
import { type ActorConfig, ActorHost, createLogger, defineActor } from '../../runtime/index.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { connectAs, startHost, waitFor } from '../helpers/host.ts';

let server: NatsServerHandle;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

function probe(seen: { deps?: object; config?: ActorConfig }[]) {
  return defineActor({
    name: 'services-probe',
    needs: uses('now', 'salesforce'),
    init: (ctx) => {
      seen.push({ deps: ctx.deps, config: ctx.config });
    },
  }).serve({});
}

describe('services at start', () => {
  it('refuses to start an actor whose services are missing, naming the actor and the service', async () => {
    const nc = await connectAs(server);
    try {
      const host = new ActorHost({ nc, log: createLogger({ level: 'silent' }), workspaces: ['ws1'], services: { now: () => 0 } });
      await expect(host.start([probe([])])).rejects.toThrow(
        'missing services: actor services-probe needs salesforce, which this worker does not provide',
      );
      // Refused before anything was provisioned.
      await expect((await nc.jetstreamManager()).streams.info(topology().streams.work.name)).rejects.toThrow('stream not found');
    } finally {
      await nc.close();
    }
  });

  it('gives an activation the services its actor declared and the configuration apart', async () => {
    const seen: { deps?: object; config?: ActorConfig }[] = [];
    const services = { now: () => 42, salesforce: () => null, mailer: { close: () => undefined } };
    const config: ActorConfig = {
      dataDir: '/tmp/x',
      publicUrl: 'http://console.example',
      http: { host: '127.0.0.1', port: 0, trustProxy: false },
      console: { operators: [], sessionHours: 12 },
      workspaces: { ws1: { changeEvents: false, webhookSecret: 's' } },
    };
    const h = await startHost(server, [probe(seen)], { services, config });
    try {
      await waitFor(() => seen.length > 0, { what: 'the probe started' });
      expect(Object.keys(seen[0].deps ?? {}).sort()).toEqual(['now', 'salesforce']);
      expect(seen[0].config).toBe(config);
    } finally {
      await h.stop();
    }
  });
});
