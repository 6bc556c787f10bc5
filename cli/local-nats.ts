// A local nats-server for the demo and the tests: the repository's nats.conf with its listen
// address, monitoring port and store replaced, started as a child process and stopped (its
// temporary store removed) on demand.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { PACKAGE_ROOT } from '../runtime/package-root.ts';

export const REPO_ROOT = PACKAGE_ROOT;
export const DEFAULT_NATS_CONF = join(REPO_ROOT, 'nats.conf');

/** The users nats.conf defines, with their development passwords and the inbox prefix each may use. */
export const DEV_USERS = {
  worker: { user: 'worker', pass: 'worker-dev-password', inboxPrefix: '_INBOX' },
  gateway: { user: 'gateway', pass: 'gateway-dev-password', inboxPrefix: '_INBOX_gateway' },
  operator: { user: 'operator', pass: 'operator-dev-password', inboxPrefix: '_INBOX_operator' },
  observer: { user: 'observer', pass: 'observer-dev-password', inboxPrefix: '_INBOX_observer' },
} as const;

export class NatsServerMissingError extends Error {
  override name = 'NatsServerMissingError';
}

export class NatsServerStartError extends Error {
  override name = 'NatsServerStartError';
}

export interface LocalNats {
  url: string;
  port: number;
  monitorPort: number;
  storeDir: string;
  configFile: string;
  /** The server's process id. */
  pid: number;
  /** What the server logged to stderr so far (permission violations among it). */
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Is this port free to listen on (127.0.0.1)? */
export async function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/** nats.conf with its listen address, monitoring port, store and server name replaced, and
 * `extraUsers` (config text, one user each) added to the end of its users list. */
export async function derivedConfig(
  port: number,
  monitorPort: number,
  storeDir: string,
  baseFile = DEFAULT_NATS_CONF,
  extraUsers: string[] = [],
): Promise<string> {
  const base = withUsers(await readFile(baseFile, 'utf8'), extraUsers, baseFile);
  const out = base
    .replace(/^listen:.*$/m, `listen: 127.0.0.1:${port}`)
    .replace(/^http:.*$/m, `http: 127.0.0.1:${monitorPort}`)
    .replace(/store_dir:.*$/m, `store_dir: "${storeDir}"`)
    .replace(/^server_name:.*$/m, `server_name: local-${port}`);
  if (!out.includes(`listen: 127.0.0.1:${port}`) || !out.includes(storeDir)) {
    throw new NatsServerStartError(`${baseFile} no longer has the expected listen/store_dir lines`);
  }
  return out;
}

/** A config's text with users added at the end of its (last) users list. */
export function withUsers(conf: string, users: string[], file = 'the configuration'): string {
  if (users.length === 0) return conf;
  const end = conf.lastIndexOf('\n    ]\n  }\n}');
  if (end < 0) throw new NatsServerStartError(`${file}: the end of the users list moved`);
  return `${conf.slice(0, end)}\n${users.map((u) => `      ${u}`).join('\n')}${conf.slice(end)}`;
}

/** Whether `nats-server` can be run from PATH. */
export function natsServerInstalled(): boolean {
  const r = spawnSync('nats-server', ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** Does a NATS server answer at `url` for this user? */
export async function natsAnswers(url: string, user?: string, pass?: string, timeoutMs = 1_500): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, user, pass, timeout: timeoutMs, reconnect: false, name: 'peoplesync-probe' });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

/** Start nats-server on the given (or free) ports with a fresh temporary store. */
export async function startLocalNats(
  o: { port?: number; monitorPort?: number; baseConfig?: string; extraUsers?: string[] } = {},
): Promise<LocalNats> {
  const dir = await mkdtemp(join(tmpdir(), 'ps-nats-'));
  const storeDir = join(dir, 'store');
  const configFile = join(dir, 'nats.conf');
  try {
    for (let attempt = 0; ; attempt++) {
      const port = attempt === 0 && o.port ? o.port : await freePort();
      const monitorPort = attempt === 0 && o.monitorPort ? o.monitorPort : await freePort();
      await writeFile(configFile, await derivedConfig(port, monitorPort, storeDir, o.baseConfig, o.extraUsers));
      const proc = spawn('nats-server', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
      const log = collectLog(proc);
      const ready = await waitReady(proc);
      if (ready === true) {
        // A parent that dies of an uncaught error (a closed stdout, say) must not leave it behind.
        const onExit = () => {
          if (proc.exitCode === null) proc.kill('SIGKILL');
        };
        process.once('exit', onExit);
        return {
          url: `nats://127.0.0.1:${port}`,
          port,
          monitorPort,
          storeDir,
          configFile,
          pid: proc.pid ?? 0,
          log,
          stop: async () => {
            process.removeListener('exit', onExit);
            await stopProcess(proc);
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      await stopProcess(proc);
      if (ready.startsWith('spawn failed')) throw new NatsServerMissingError(`nats-server could not be run: ${ready}`);
      if (attempt >= 2) throw new NatsServerStartError(`nats-server did not start: ${ready}`);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The server's stderr as it comes, the last 4 MB of it. */
export function collectLog(proc: ChildProcess): () => string {
  let text = '';
  proc.stderr?.on('data', (d: Buffer) => {
    text += d.toString();
    if (text.length > 4_000_000) text = text.slice(-3_000_000);
  });
  return () => text;
}

export function waitReady(proc: ChildProcess): Promise<true | string> {
  return new Promise((res) => {
    let log = '';
    const timer = setTimeout(() => res(`timed out; log: ${log.slice(-2000)}`), 15_000);
    proc.once('error', (err) => {
      clearTimeout(timer);
      res(`spawn failed: ${err.message}`);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      res(`exited with ${code}; log: ${log.slice(-2000)}`);
    });
    proc.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        res(true);
      }
    });
  });
}

export async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((res) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    proc.once('exit', () => {
      clearTimeout(t);
      res();
    });
    proc.kill('SIGTERM');
  });
}
