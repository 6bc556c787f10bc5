// The gateway actor: one HTTP server per worker (the actor's shared part: opened with its first
// workspace, closed after its last), serving every workspace the worker hosts; each workspace's
// activation adds itself to it. It hears each workspace's run progress and usage reports and
// passes them to open console pages.
import { BulkFinished, BulkProgress, UsageReported } from '../../protocol/index.ts';
import { type ActorContext, defineActor, onEvent } from '../../runtime/index.ts';
import { type Uses, uses } from '../services.ts';
import { GatewayServer } from './server.ts';

type GatewayDeps = Uses<'now' | 'natsHealth'>;

async function openServer(ctx: ActorContext<GatewayDeps>): Promise<GatewayServer> {
  const { deps, config } = ctx;
  const server = new GatewayServer({
    http: config.http,
    console: config.console,
    publicUrl: config.publicUrl,
    log: ctx.log.child({ part: 'http' }),
    webhookSecret: (ws) => config.workspaces[ws]?.webhookSecret,
    health: () => deps.natsHealth(),
    now: () => deps.now(),
  });
  try {
    ctx.log.info({ url: await server.listen(), public: server.publicUrl }, 'gateway listening');
  } catch (err) {
    await server.close().catch(() => undefined);
    throw new Error(`gateway could not listen on ${config.http.host}:${config.http.port}: ${(err as Error).message}`, { cause: err });
  }
  return server;
}

export const gatewayActor = defineActor({
  name: 'gateway',
  needs: uses('now', 'natsHealth'),
  shared: { open: openServer, close: (server) => server.close() },
  init(ctx, server) {
    server.addWorkspace(ctx);
    return server;
  },
  dispose: (server, ctx) => void server.removeWorkspace(ctx.ws),
}).serve({
  events: [
    onEvent(BulkProgress, (body, ctx, server) => server.hub.publish(ctx.ws, 'run', body)),
    onEvent(BulkFinished, (body, ctx, server) => server.hub.publish(ctx.ws, 'run', body)),
    onEvent(UsageReported, (body, ctx, server) => server.hub.publish(ctx.ws, 'usage', body)),
  ],
});

/** The gateway serving a workspace in a host, if it runs there (for tests and the CLI). */
export function gatewayOf(host: { instance(actor: string, ws: string): unknown }, ws: string): GatewayServer | undefined {
  const server = host.instance(gatewayActor.name, ws);
  return server instanceof GatewayServer ? server : undefined;
}
