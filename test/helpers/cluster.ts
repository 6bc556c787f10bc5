// peoplesync across hosts: a three-node NATS cluster from docs/nats-cluster.conf and `peoplesync
// worker` processes, each on a host of its own (a network namespace, test/helpers/netns.ts), with
// the sandboxes and the SMTP sink in this process at the bridge's address. Every process listens on
// its own address, so the fixed ports of the shipped configuration (4222, 6222, 8222) clash with
// nothing on the machine.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '@msgpack/msgpack';
import { type NatsConnection, connect } from 'nats';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { saveWhenReady } from '../../cli/commands/settings.ts';
import { BIN, binNodeFlags } from '../../cli/bin-flags.ts';
import { REPO_ROOT, collectLog, stopProcess, waitReady, withUsers } from '../../cli/local-nats.ts';
import { BulkStatus, ControlError, type Run, topology } from '../../protocol/index.ts';
import { Messenger, provision } from '../../runtime/index.ts';
import {
  type GeneratorOptions,
  HIGH_RATE_LIMIT,
  type Sandboxes,
  type SmtpSink,
  startSandboxes,
  startSmtpSink,
} from '../../sandbox/index.ts';
import { type Host, type Network, createNetwork } from './netns.ts';
import { ADMIN, ADMIN_USER, USERS } from './nats-server.ts';

export const CLUSTER_CONF = join(REPO_ROOT, 'docs', 'nats-cluster.conf');
export const WS = 'ws1';

export interface NatsNode {
  host: Host;
  url: string;
  proc: ChildProcess | null;
  log(): string;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export interface WorkerProcess {
  host: Host;
  proc: ChildProcess;
  logFile: string;
  /** Lost host: SIGKILL, nothing released. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface Cluster {
  net: Network;
  nodes: NatsNode[];
  workers: WorkerProcess[];
  sandboxes: Sandboxes;
  smtp: SmtpSink;
  /** Connections from this machine: as the worker (control requests) and the test-only admin. */
  nc: NatsConnection;
  admin: NatsConnection;
  messenger: Messenger;
  startWorker(name: string): Promise<WorkerProcess>;
  /** The run's status, asked again while a leader changes hands or a node is down. */
  status(): Promise<Run | null>;
  /** The worker whose process holds `actor`'s lease for the workspace, if any. */
  leaderOf(actor: string): Promise<WorkerProcess | undefined>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  generator: Partial<GeneratorOptions>;
  workers: number;
  /** Worker config beyond the connections (queue tuning, lease TTL). */
  workerConfig?: Record<string, unknown>;
}

/** docs/nats-cluster.conf for one node: its name, addresses, store, the three routes, and the admin. */
export function nodeConfig(base: string, name: string, ip: string, ips: string[], storeDir: string): string {
  const out = withUsers(base, [ADMIN_USER], CLUSTER_CONF)
    .replace(/^server_name:.*$/m, `server_name: peoplesync-${name}`)
    .replace(/^listen:.*$/m, `listen: ${ip}:4222`)
    .replace(/^http:.*$/m, `http: ${ip}:8222`)
    .replace(/store_dir:.*$/m, `store_dir: "${storeDir}"`)
    .replace(/^ {2}listen: .*:6222$/m, `  listen: ${ip}:6222`)
    .replace(/nats-route:\/\/([^@\s]+)@nats-a\.internal:6222/, `nats-route://$1@${ips[0]}:6222`)
    .replace(/nats-route:\/\/([^@\s]+)@nats-b\.internal:6222/, `nats-route://$1@${ips[1]}:6222`)
    .replace(/nats-route:\/\/([^@\s]+)@nats-c\.internal:6222/, `nats-route://$1@${ips[2]}:6222`);
  for (const want of [`listen: ${ip}:4222`, `  listen: ${ip}:6222`, `@${ips[2]}:6222`, storeDir])
    if (!out.includes(want)) throw new Error(`${CLUSTER_CONF} no longer has the lines a node's configuration replaces (${want})`);
  return out;
}

async function startNode(host: Host, configFile: string, dir: string): Promise<NatsNode> {
  const node: NatsNode = {
    host,
    url: `nats://${host.ip}:4222`,
    proc: null,
    log: () => '',
    async kill() {
      if (!node.proc) return;
      node.proc.kill('SIGKILL');
      await stopProcess(node.proc);
      node.proc = null;
    },
    async start() {
      const proc = spawn('ip', ['netns', 'exec', host.ns, 'nats-server', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
      const log = collectLog(proc);
      const ready = await waitReady(proc);
      if (ready !== true) throw new Error(`nats-server on ${host.name} did not start: ${ready} (config ${configFile}, ${dir})`);
      node.proc = proc;
      node.log = log;
    },
  };
  await node.start();
  return node;
}

/** JetStream answers once the three nodes have elected a meta leader. */
async function jetStreamReady(nc: NatsConnection): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await (await nc.jetstreamManager({ timeout: 2_000 })).getAccountInfo();
      return;
    } catch (err) {
      if (i > 60) throw new Error(`JetStream did not come up on the cluster: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'ps-cluster-'));
  const net = createNetwork();
  const onExit = () => net.destroy();
  process.once('exit', onExit);
  const cleanup: Array<() => Promise<void>> = [];
  try {
    const base = await readFile(CLUSTER_CONF, 'utf8');
    const hosts = ['a', 'b', 'c'].map((n) => net.addHost(`nats-${n}`));
    const nodes: NatsNode[] = [];
    for (const [i, h] of hosts.entries()) {
      const store = join(dir, `store-${i}`);
      const file = join(dir, `nats-${i}.conf`);
      await writeFile(
        file,
        nodeConfig(
          base,
          'abc'[i],
          h.ip,
          hosts.map((x) => x.ip),
          store,
        ),
      );
      nodes.push(await startNode(h, file, dir));
      cleanup.push(() => nodes[i].kill());
    }
    const servers = nodes.map((n) => n.url);
    const sandboxes = await startSandboxes({
      generator: { seed: 7, people: 500, ...o.generator },
      salesforce: { clientId: 'ps-client', clientSecret: 'ps-secret', host: net.gateway },
      intercom: { rateLimit: HIGH_RATE_LIMIT, host: net.gateway },
    });
    cleanup.push(() => sandboxes.close());
    const smtp = await startSmtpSink({ host: net.gateway });
    cleanup.push(() => smtp.close());
    const opts = { servers, maxReconnectAttempts: -1, reconnectTimeWait: 250 };
    const nc = await connect({ ...opts, user: USERS.worker.user, pass: USERS.worker.pass, name: 'cluster-test' });
    const admin = await connect({ ...opts, user: ADMIN.user, pass: ADMIN.pass, name: 'cluster-admin' });
    cleanup.push(async () => {
      await nc.close();
      await admin.close();
    });
    await jetStreamReady(nc);
    await provision(nc, topology(), 3);
    const messenger = new Messenger(nc, 'peoplesync', 'msgpack');
    const workers: WorkerProcess[] = [];
    const cluster: Cluster = {
      net,
      nodes,
      workers,
      sandboxes,
      smtp,
      nc,
      admin,
      messenger,
      async startWorker(name) {
        const host = net.hosts.get(name) ?? net.addHost(name);
        const file = join(dir, `${name}.json`);
        await mkdir(join(dir, `data-${name}`), { recursive: true });
        await writeFile(
          file,
          JSON.stringify({
            nats: { servers, user: USERS.worker.user, pass: USERS.worker.pass, replicas: 3 },
            dataDir: join(dir, `data-${name}`),
            logLevel: 'warn',
            smtp: { host: smtp.host, port: smtp.port, from: 'peoplesync <peoplesync@localhost>' },
            http: { host: '127.0.0.1', port: 8080 },
            workspaces: [
              {
                id: WS,
                salesforce: {
                  auth: {
                    kind: 'client_credentials',
                    loginUrl: sandboxes.salesforce.url,
                    clientId: 'ps-client',
                    clientSecret: 'ps-secret',
                  },
                  // Bulk runs only: what a run wrote is then all that changes in the sandboxes.
                  changeEvents: false,
                },
                intercom: { baseUrl: sandboxes.intercom.url, token: sandboxes.intercom.token, webhookSecret: 'hook-secret' },
              },
            ],
            ...o.workerConfig,
          }),
        );
        const logFile = join(dir, `${name}.log`);
        const log = openSync(logFile, 'a');
        // `peoplesync worker` on its host, with the node flags of the command's first line.
        const proc = spawn('ip', ['netns', 'exec', host.ns, process.execPath, ...binNodeFlags(), BIN, 'worker', '--config', file], {
          stdio: ['ignore', log, log],
        });
        const w: WorkerProcess = {
          host,
          proc,
          logFile,
          kill: async () => {
            proc.kill('SIGKILL');
            await stopProcess(proc);
          },
          stop: () => stopProcess(proc),
        };
        workers.push(w);
        return w;
      },
      async status() {
        for (let i = 0; ; i++) {
          try {
            return (await messenger.request(BulkStatus, WS, {}, 5_000)).run;
          } catch (err) {
            if (!(err instanceof ControlError) || err.status < 500 || i >= 60) throw err;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      },
      async leaderOf(actor) {
        const kv = await admin.jetstream().views.kv('peoplesync_leases');
        const e = await kv.get(`${actor}.${WS}`);
        if (!e || e.operation !== 'PUT' || e.length === 0) return undefined;
        const { holder } = decode(e.value) as { holder: string };
        const pid = Number(holder.split(':')[1]);
        return workers.find((w) => w.proc.pid === pid && w.proc.exitCode === null);
      },
      async stop() {
        await Promise.all(workers.map((w) => w.stop()));
        for (const c of cleanup.reverse()) await c().catch(() => undefined);
        net.destroy();
        process.removeListener('exit', onExit);
        // KEEP_CLUSTER=1 keeps the folder (worker logs, node stores) to look at after a failure.
        if (!process.env.KEEP_CLUSTER) await rm(dir, { recursive: true, force: true });
      },
    };
    for (let i = 0; i < o.workers; i++) await cluster.startWorker(`w${i + 1}`);
    // Saved as a person saves them: a settings.save request the workers check against the sandboxes.
    await saveWhenReady(messenger, WS, defaultSettings({ pollIntervalSeconds: 86_400 }), 'cluster-test', { timeoutMs: 60_000 });
    return cluster;
  } catch (err) {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    net.destroy();
    process.removeListener('exit', onExit);
    throw err;
  }
}

/** The last lines of a worker's log, for a failure message. */
export function logTail(w: WorkerProcess, lines = 20): string {
  try {
    return readFileSync(w.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
