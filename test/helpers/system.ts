// The whole system for integration and end-to-end tests: a real nats-server, both sandboxes
// seeded from one generated data set, an SMTP sink, and any number of workers hosting actors.
import type { NatsConnection } from 'nats';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { saveWhenReady } from '../../cli/commands/settings.ts';
import { startWorker, type Worker } from '../../cli/worker.ts';
import type { WorkspaceSettings } from '../../protocol/index.ts';
import { type Config, type Logger, type TypedKv, createLogger, parseConfig, typedKv } from '../../runtime/index.ts';
import {
  type GeneratorOptions,
  type Sandboxes,
  type SmtpSink,
  type IntercomSandboxOptions,
  type SalesforceSandboxOptions,
  startSandboxes,
  startSmtpSink,
} from '../../sandbox/index.ts';
import { connectAs } from './host.ts';
import { type NatsServerHandle, startNatsServer } from './nats-server.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SystemOptions {
  generator?: Partial<GeneratorOptions>;
  salesforce?: Partial<SalesforceSandboxOptions>;
  intercom?: Partial<IntercomSandboxOptions>;
  /** Settings stored before workers start; null stores none. */
  settings?: Partial<WorkspaceSettings> | null;
  config?: Record<string, unknown>;
  /** The nats-server configuration to derive the test server's from (default: nats.conf). */
  natsConfig?: string;
  /** Listen to Salesforce change events (default true); off, only polls read changes. */
  changeEvents?: boolean;
}

export interface TestSystem {
  nats: NatsServerHandle;
  sandboxes: Sandboxes;
  smtp: SmtpSink;
  config: Config;
  workers: Worker[];
  /** A connection as the worker user for reading KV and streams in assertions. */
  nc: NatsConnection;
  /** A connection as the test-only admin, for what no peoplesync user may do (purge, delete). */
  admin: NatsConnection;
  /** `now`: the worker's clock, for tests that move time forward; `log`: where it logs. */
  startWorker(actors?: string[], extra?: Record<string, unknown>, opts?: { now?: () => number; log?: Logger }): Promise<Worker>;
  kv(bucket: string): Promise<TypedKv>;
  /** Save settings through settings.save (config `extra`, e.g. more workspaces, for the worker that answers). */
  saveSettings(ws: string, settings: WorkspaceSettings, extra?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export const WS = 'ws1';

export async function startSystem(o: SystemOptions = {}): Promise<TestSystem> {
  const nats = await startNatsServer({ baseConfig: o.natsConfig });
  const generator: GeneratorOptions = { seed: 7, people: 200, ...o.generator };
  const sandboxes = await startSandboxes({
    generator,
    salesforce: { clientId: 'ps-client', clientSecret: 'ps-secret', ...o.salesforce },
    intercom: { ...o.intercom },
  });
  const smtp = await startSmtpSink();
  const dataDir = await mkdtemp(join(tmpdir(), 'ps-data-'));
  const base = {
    nats: { servers: [nats.url], user: 'worker', pass: 'worker-dev-password' },
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    dataDir,
    // Long enough to outlast the event-loop stalls of a test process on two busy cores (with 1 s,
    // leaders lost their leases mid-run under CI load); short enough for fail-over tests.
    leaseTtlMs: 3_000,
    queue: { ackWaitMs: 10_000, maxDeliver: 5 },
    smtp: { host: '127.0.0.1', port: smtp.port, from: 'peoplesync <peoplesync@localhost>' },
    workspaces: [
      {
        id: WS,
        salesforce: {
          auth: { kind: 'client_credentials', loginUrl: sandboxes.salesforce.url, clientId: 'ps-client', clientSecret: 'ps-secret' },
          changeEvents: o.changeEvents ?? true,
        },
        intercom: { baseUrl: sandboxes.intercom.url, token: sandboxes.intercom.token, webhookSecret: 'hook-secret' },
      },
    ],
    ...o.config,
  };
  const config = parseConfig(base);
  const nc = await connectAs(nats);
  const admin = await connectAs(nats, 'admin');
  const workers: Worker[] = [];
  const sys: TestSystem = {
    nats,
    sandboxes,
    smtp,
    config,
    workers,
    nc,
    admin,
    async startWorker(actors, extra = {}, opts = {}) {
      const cfg = parseConfig({ ...base, ...extra });
      const w = await startWorker(cfg, { actors, log: opts.log ?? createLogger({ level: cfg.logLevel }), now: opts.now });
      workers.push(w);
      return w;
    },
    async kv(bucket) {
      const name = `peoplesync_${bucket}`;
      return typedKv(await nc.jetstream().views.kv(name), name, nc);
    },
    saveSettings: (ws, settings, extra = {}) => saveAsUser(base, ws, settings, extra, workers.length === 0),
    async stop() {
      await Promise.all(workers.map((w) => w.stop(1_000).catch(() => undefined)));
      await nc.close().catch(() => undefined);
      await admin.close().catch(() => undefined);
      await sandboxes.close();
      await smtp.close();
      await nats.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  if (o.settings !== null) await sys.saveSettings(WS, defaultSettings(o.settings ?? {}));
  return sys;
}

/** The describe calls of a first save (Lead and Contact): charged to the workspace like any. */
export const FIRST_SAVE_CALLS = 2;

/** Settings saved as a person saves them: a settings.save request, checked against the sandboxes'
 * live describe under tokens from the quota leader. A worker hosting those two actors answers it
 * and stops. Before any other worker runs, its lease is short, to spare the wait for leadership;
 * once workers run, it takes the system's lease TTL like them. */
async function saveAsUser(
  base: Record<string, unknown>,
  ws: string,
  settings: WorkspaceSettings,
  extra: Record<string, unknown>,
  first: boolean,
): Promise<void> {
  const cfg = parseConfig({ ...base, ...extra, ...(first ? { leaseTtlMs: 500 } : {}) });
  const w = await startWorker(cfg, { actors: ['quota', 'mapping'], log: createLogger({ level: cfg.logLevel }) });
  try {
    await saveWhenReady(w.host.messenger, ws, settings, 'test setup');
  } finally {
    await w.stop(1_000);
  }
}
