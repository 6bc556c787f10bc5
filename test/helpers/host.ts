// A worker host connected to a test nats-server as the `worker` user.
import { connect, type NatsConnection } from 'nats';
import { type Topology, topology } from '../../protocol/index.ts';
import {
  ActorHost,
  type ActorDef,
  type HostOptions,
  type TypedKv,
  createLogger,
  provision,
  tuneNats,
  typedKv,
} from '../../runtime/index.ts';
import { type NatsServerHandle, USERS } from './nats-server.ts';

export interface TestHost {
  host: ActorHost;
  nc: NatsConnection;
  stop(graceMs?: number): Promise<void>;
  /** Simulate a crash: drop the connection without acking or releasing anything. */
  kill(): Promise<void>;
}

/** A test's own connection, on the request path workers run (runtime/nats-tuning.ts). */
export async function connectAs(server: NatsServerHandle, role: keyof typeof USERS = 'worker'): Promise<NatsConnection> {
  tuneNats();
  const { user, pass, inboxPrefix } = USERS[role];
  return connect({ servers: server.url, user, pass, inboxPrefix, name: `test-${role}` });
}

/** A worker connection to a server provisioned as a worker would (one replica), and a typed view
 * of any of its buckets, bound (never created). */
export async function provisioned(server: NatsServerHandle): Promise<{
  nc: NatsConnection;
  buckets: Topology['buckets'];
  bucket(name: string): Promise<TypedKv>;
}> {
  const nc = await connectAs(server);
  const t = topology();
  await provision(nc, t, 1);
  const bucket = async (name: string) => typedKv(await nc.jetstream().views.kv(name, { bindOnly: true }), name, nc);
  return { nc, buckets: t.buckets, bucket };
}

export async function startHost(server: NatsServerHandle, actors: ActorDef[], opts: Partial<HostOptions> = {}): Promise<TestHost> {
  const nc = await connectAs(server);
  const host = new ActorHost({
    nc,
    log: createLogger({ level: (process.env.TEST_LOG_LEVEL as 'info') ?? 'silent' }),
    workspaces: ['ws1'],
    leaseTtlMs: 1_500,
    backoff: { baseMs: 100, maxMs: 2_000 },
    ...opts,
  });
  await host.start(actors);
  return {
    host,
    nc,
    stop: async (graceMs = 2_000) => {
      await host.stop(graceMs);
      await nc.drain().catch(() => undefined);
    },
    kill: async () => {
      await nc.close();
    },
  };
}

export async function waitFor<T>(
  fn: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
  throw new Error(`timed out waiting for ${opts.what ?? 'condition'} (last: ${JSON.stringify(last)})`);
}
