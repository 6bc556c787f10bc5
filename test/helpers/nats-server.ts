// Start a real nats-server for one test file: the project's nats.conf with a free port, a free
// monitoring port and a fresh temporary store, stopped (and its store removed) on dispose.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const USERS = {
  worker: { user: 'worker', pass: 'worker-dev-password' },
  operator: { user: 'operator', pass: 'operator-dev-password' },
  observer: { user: 'observer', pass: 'observer-dev-password' },
} as const;

export interface NatsServerHandle {
  url: string;
  port: number;
  monitorPort: number;
  storeDir: string;
  configFile: string;
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

const REPO = resolve(import.meta.dirname, '..', '..');

/** The repository's nats.conf with its listen address, monitoring port and store replaced. */
export async function derivedConfig(port: number, monitorPort: number, storeDir: string): Promise<string> {
  const base = await readFile(join(REPO, 'nats.conf'), 'utf8');
  const out = base
    .replace(/^listen:.*$/m, `listen: 127.0.0.1:${port}`)
    .replace(/^http:.*$/m, `http: 127.0.0.1:${monitorPort}`)
    .replace(/store_dir:.*$/m, `store_dir: "${storeDir}"`)
    .replace(/^server_name:.*$/m, `server_name: test-${port}`);
  if (!out.includes(`listen: 127.0.0.1:${port}`) || !out.includes(storeDir)) throw new Error('nats.conf no longer has the expected listen/store_dir lines');
  return out;
}

export async function startNatsServer(): Promise<NatsServerHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'ps-nats-'));
  const storeDir = join(dir, 'store');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const monitorPort = await freePort();
    const configFile = join(dir, 'nats.conf');
    await writeFile(configFile, await derivedConfig(port, monitorPort, storeDir));
    const proc = spawn('nats-server', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    const ready = await waitReady(proc);
    if (ready === true) {
      return {
        url: `nats://127.0.0.1:${port}`, port, monitorPort, storeDir, configFile,
        stop: async () => {
          await stopProcess(proc);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await stopProcess(proc);
    if (attempt >= 2) throw new Error(`nats-server did not start: ${ready}`);
  }
}

function waitReady(proc: ChildProcess): Promise<true | string> {
  return new Promise((res) => {
    let log = '';
    const timer = setTimeout(() => res(`timed out; log: ${log.slice(-2000)}`), 15_000);
    proc.once('error', (err) => { clearTimeout(timer); res(`spawn failed: ${err.message} (is nats-server installed?)`); });
    proc.once('exit', (code) => { clearTimeout(timer); res(`exited with ${code}; log: ${log.slice(-2000)}`); });
    proc.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Server is ready')) { clearTimeout(timer); res(true); }
    });
  });
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((res) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    proc.once('exit', () => { clearTimeout(t); res(); });
    proc.kill('SIGTERM');
  });
}
