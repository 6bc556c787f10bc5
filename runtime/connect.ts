// Connecting to NATS: a URL list, user/password or a creds file, TLS, and reconnecting forever
// with backoff, each state change logged.
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { TUNED_NATS_VERSION, tuneNats } from './nats-tuning.ts';
import { requireNatsServer } from './server-version.ts';

export type { NatsConnection };

/** No server of the list could be reached (or none accepted the credentials). */
export class NatsUnreachableError extends Error {
  override name = 'NatsUnreachableError';
}

export async function connectNats(cfg: Config['nats'], log: Logger, name = 'peoplesync'): Promise<NatsConnection> {
  if (!tuneNats())
    log.warn({ tuned: TUNED_NATS_VERSION }, 'nats.js is not the version its request path was tuned for: running it as it is');
  const opts: ConnectionOptions = {
    servers: cfg.servers,
    name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 10_000,
    waitOnFirstConnect: false,
    // Each request would otherwise build stack-trace errors up front: a quarter of a matching
    // worker's CPU in the benchmark, for traces nobody reads.
    noAsyncTraces: true,
  };
  if (cfg.user) {
    opts.user = cfg.user;
    opts.pass = cfg.pass;
  }
  if (cfg.inboxPrefix) opts.inboxPrefix = cfg.inboxPrefix;
  if (cfg.credsFile) opts.authenticator = credsAuthenticator(readFileSync(cfg.credsFile));
  if (cfg.tls) {
    opts.tls = {
      caFile: cfg.tls.caFile,
      certFile: cfg.tls.certFile,
      keyFile: cfg.tls.keyFile,
    };
  }
  const nc = await connect(opts).catch((err: unknown) => {
    throw new NatsUnreachableError(`cannot reach NATS at ${cfg.servers.join(', ')}: ${(err as Error).message}`, { cause: err });
  });
  try {
    requireNatsServer(nc);
  } catch (err) {
    await nc.close();
    throw err;
  }
  log.info({ server: nc.getServer(), version: nc.info?.version }, 'connected to NATS');
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'error') log.warn({ status: s.type, data: String(s.data) }, 'NATS connection trouble');
      else if (s.type === 'reconnect') log.info({ server: String(s.data) }, 'reconnected to NATS');
      else if (s.type === 'reconnecting') log.debug('reconnecting to NATS');
    }
  })();
  return nc;
}
