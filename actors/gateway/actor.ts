// The gateway actor: one HTTP server per worker (the actor's shared part: opened with its first
// workspace, closed after its last), serving every workspace the worker hosts; each workspace's
// activation adds itself to it. It hears each workspace's run progress and usage reports and
// passes them to open console pages.
import { BulkFinished, BulkProgress, UsageReported } from '../../protocol/index.ts';
import { type ActorContext, defineActor, onEvent } from '../../runtime/index.ts';
import { GatewayServer } from './server.ts';

async function openServer(ctx: ActorContext): Promise<GatewayServer> {
  const deps = ctx.deps;
  const server = new GatewayServer({
    http: deps.http,
    console: deps.console,
    publicUrl: deps.publicUrl,
    log: ctx.log.child({ part: 'http' }),
    webhookSecret: (ws) => deps.webhookSecret(ws),
    health: () => deps.natsHealth(),
    now: () => deps.now(),
  });
  try {
    ctx.log.info({ url: await server.listen(), public: server.publicUrl }, 'gateway listening');
  } catch (err) {
    await server.close().catch(() => undefined);
    throw new Error(`gateway could not listen on ${deps.http.host}:${deps.http.port}: ${(err as Error).message}`, { cause: err });
  }
  return server;
}

export const gatewayActor = defineActor({
  name: 'gateway',
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
