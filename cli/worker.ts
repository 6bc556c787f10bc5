// A worker process: connect, wire connectors into the actor context, host the chosen actors.
import { mkdirSync } from 'node:fs';
import { ACTORS } from '../actors/index.ts';
import type { Services } from '../actors/services.ts';
import {
  RatePacer,
  createIntercomClient,
  createMailer,
  createSalesforceClient,
  type IntercomClient,
  type SalesforceClient,
} from '../connectors/index.ts';
import { ActorHost, type Config, type Logger, RuntimeMetrics, actorConfig, connectNats } from '../runtime/index.ts';
import type { NatsConnection } from 'nats';
import { UsageError } from './exit-codes.ts';

export interface Worker {
  host: ActorHost;
  nc: NatsConnection;
  /** Where this worker's Prometheus metrics are served (config `metrics`), or null. */
  metricsUrl: string | null;
  stop(graceMs?: number): Promise<void>;
}

/** A usage error: `worker --actors bogus` exits 2. */
export class UnknownActorError extends UsageError {
  override name = 'UnknownActorError';
}

export function selectActors(names: string[] | undefined) {
  if (!names || names.length === 0 || names.includes('all')) return Object.values(ACTORS);
  const unknown = names.filter((n) => !ACTORS[n]);
  if (unknown.length) throw new UnknownActorError(`unknown actor(s): ${unknown.join(', ')}; known: ${Object.keys(ACTORS).join(', ')}`);
  return names.map((n) => ACTORS[n]);
}

/** The services actors use (configuration values reach them apart, on `ctx.config`). `now`: the
 * workers' clock (tests move it forward to reach a poll interval without waiting). */
export function buildServices(
  cfg: Config,
  host: () => ActorHost,
  log: Logger,
  now: () => number = Date.now,
  metrics = new RuntimeMetrics(),
): Services {
  const sf = new Map<string, SalesforceClient>();
  const ic = new Map<string, IntercomClient>();
  const pacers = new Map<string, RatePacer>();
  const wsConfig = (ws: string) => {
    const w = cfg.workspaces.find((x) => x.id === ws);
    if (!w) throw new Error(`workspace ${ws} is not configured`);
    return w;
  };
  mkdirSync(cfg.dataDir, { recursive: true });
  return {
    salesforce(ws) {
      let c = sf.get(ws);
      if (!c) {
        const w = wsConfig(ws);
        c = createSalesforceClient({
          auth: w.salesforce.auth,
          apiVersion: w.salesforce.apiVersion,
          // Salesforce does not charge OAuth token requests to the daily API limit.
          onCall: (r) => {
            const calls = r.kind === 'auth' ? 0 : r.calls;
            if (calls > 0) metrics.salesforceCalls.inc({ ws, class: host().tokens.leaseClass() ?? 'none' }, calls);
            host().tokens.report(ws, { calls, orgUsed: r.orgUsed, orgMax: r.orgMax });
          },
        });
        sf.set(ws, c);
      }
      return c;
    },
    intercom(ws) {
      let c = ic.get(ws);
      if (!c) {
        const w = wsConfig(ws);
        // The rate limit is per Intercom app: clients of one workspace share one pacer.
        const pacer = pacers.get(w.intercom.baseUrl) ?? new RatePacer({ maxInFlight: 16 });
        pacers.set(w.intercom.baseUrl, pacer);
        const l = log.child({ part: 'intercom', ws });
        c = createIntercomClient({
          baseUrl: w.intercom.baseUrl,
          token: w.intercom.token,
          pacer,
          logger: { debug: (o: object, m: string) => l.debug(o, m), warn: (o: object, m: string) => l.warn(o, m) },
          onCall: (r) => metrics.intercomCalls.inc({ ws, outcome: r.outcome }),
        });
        ic.set(ws, c);
      }
      return c;
    },
    mailer: createMailer(cfg.smtp),
    now,
    natsHealth: async () => {
      const nc = host().messenger.nc;
      const rttMs = nc.isClosed() ? null : await nc.rtt().catch(() => null);
      return { connected: rttMs !== null, rttMs, server: nc.getServer() || null };
    },
  };
}

export async function startWorker(
  cfg: Config,
  opts: { actors?: string[]; log: Logger; nc?: NatsConnection; now?: () => number },
): Promise<Worker> {
  const actors = selectActors(opts.actors);
  const nc = opts.nc ?? (await connectNats(cfg.nats, opts.log, 'peoplesync-worker'));
  let hostRef: ActorHost | null = null;
  const metrics = new RuntimeMetrics();
  const services = buildServices(cfg, () => hostRef as ActorHost, opts.log, opts.now, metrics);
  const host = new ActorHost({
    nc,
    log: opts.log,
    workspaces: cfg.workspaces.map((w) => w.id),
    prefix: cfg.prefix,
    encoding: cfg.encoding,
    replicas: cfg.nats.replicas,
    leaseTtlMs: cfg.leaseTtlMs,
    concurrency: cfg.queue.concurrency,
    tuning: { ackWaitMs: cfg.queue.ackWaitMs, maxDeliver: cfg.queue.maxDeliver, maxAckPending: cfg.queue.maxAckPending },
    limits: { maxBytes: cfg.limits.maxMessageBytes, maxDepth: cfg.limits.maxDepth },
    services,
    config: actorConfig(cfg),
    metrics,
  });
  hostRef = host;
  await host.start(actors);
  const served = cfg.metrics ? await metrics.serve(cfg.metrics.host, cfg.metrics.port) : null;
  if (served) opts.log.info({ url: served.url }, 'metrics served');
  opts.log.info({ actors: actors.map((a) => a.name), workspaces: cfg.workspaces.map((w) => w.id) }, 'worker started');
  return {
    host,
    nc,
    metricsUrl: served?.url ?? null,
    stop: async (graceMs = 10_000) => {
      await served?.close();
      await host.stop(graceMs);
      services.mailer.close();
      if (!opts.nc) await nc.drain().catch(() => undefined);
    },
  };
}
