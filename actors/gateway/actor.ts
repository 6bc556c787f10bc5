// The gateway actor: one HTTP server per worker, started when the actor starts for the first
// workspace and stopped when the last one stops; every workspace the worker hosts is served by it.
import type { ActorContext, ActorDef, ActorDeps } from '../../runtime/index.ts';
import { GatewayServer } from './server.ts';

// Keyed by the worker's deps: one server per worker, also when a test runs several in one process.
const servers = new WeakMap<ActorDeps, GatewayServer>();

/** The gateway serving this worker's workspaces, if it runs (for tests and the CLI). */
export function gatewayOf(deps: ActorDeps): GatewayServer | undefined {
  return servers.get(deps);
}

export const gatewayActor: ActorDef = {
  name: 'gateway',
  async start(ctx: ActorContext) {
    let server = servers.get(ctx.deps);
    if (!server) {
      const deps = ctx.deps;
      server = new GatewayServer({
        host: deps.http.host,
        port: deps.http.port,
        log: ctx.log.child({ part: 'http' }),
        webhookSecret: (ws) => deps.webhookSecret(ws),
        health: () => deps.natsHealth(),
      });
      servers.set(deps, server);
      server.addWorkspace(ctx);
      try {
        ctx.log.info({ url: await server.listen() }, 'gateway listening');
      } catch (err) {
        servers.delete(deps);
        throw new Error(`gateway could not listen on ${deps.http.host}:${deps.http.port}: ${(err as Error).message}`, { cause: err });
      }
      return;
    }
    server.addWorkspace(ctx);
  },
  async stop(ctx: ActorContext) {
    const server = servers.get(ctx.deps);
    if (!server || server.removeWorkspace(ctx.ws) > 0) return;
    servers.delete(ctx.deps);
    await server.close();
  },
};
