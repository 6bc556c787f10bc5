// The gateway actor: one HTTP server per worker, started when the actor starts for the first
// workspace and stopped when the last one stops; every workspace the worker hosts is served by it.
// It hears each workspace's run progress and usage reports and passes them to open console pages.
import { BulkFinished, BulkProgress, UsageReported } from '../../protocol/index.ts';
import { type ActorContext, type ActorDef, type ActorDeps, onEvent } from '../../runtime/index.ts';
import { GatewayServer } from './server.ts';

// Keyed by the worker's deps: one server per worker, also when a test runs several in one process.
const servers = new WeakMap<ActorDeps, GatewayServer>();

/** The gateway serving this worker's workspaces, if it runs (for tests and the CLI). */
export function gatewayOf(deps: ActorDeps): GatewayServer | undefined {
  return servers.get(deps);
}

const live = (event: 'run' | 'usage') => (body: unknown, ctx: ActorContext) => servers.get(ctx.deps)?.hub.publish(ctx.ws, event, body);

export const gatewayActor: ActorDef = {
  name: 'gateway',
  events: [onEvent(BulkProgress, live('run')), onEvent(BulkFinished, live('run')), onEvent(UsageReported, live('usage'))],
  async start(ctx: ActorContext) {
    let server = servers.get(ctx.deps);
    if (server) {
      server.addWorkspace(ctx);
      return;
    }
    const deps = ctx.deps;
    server = new GatewayServer({
      http: deps.http,
      console: deps.console,
      publicUrl: deps.publicUrl,
      log: ctx.log.child({ part: 'http' }),
      webhookSecret: (ws) => deps.webhookSecret(ws),
      health: () => deps.natsHealth(),
      now: () => deps.now(),
    });
    servers.set(deps, server);
    server.addWorkspace(ctx);
    try {
      ctx.log.info({ url: await server.listen(), public: server.publicUrl }, 'gateway listening');
    } catch (err) {
      servers.delete(deps);
      await server.close().catch(() => undefined);
      throw new Error(`gateway could not listen on ${deps.http.host}:${deps.http.port}: ${(err as Error).message}`, { cause: err });
    }
  },
  async stop(ctx: ActorContext) {
    const server = servers.get(ctx.deps);
    if (!server || server.removeWorkspace(ctx.ws) > 0) return;
    servers.delete(ctx.deps);
    await server.close();
  },
};
