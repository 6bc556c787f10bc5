// `peoplesync bulk` as a person or a script runs it: a child process against a running system,
// its output and its exit codes (0 ok, 1 refused/stopped/failed, 2 usage, 3 unavailable).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/host.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { FREE_PORT } from './bulk-expected.ts';
import { BIN } from '../../cli/bin-flags.ts';

let sys: TestSystem;
let dir: string;
let configFile: string;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 300 }, settings: { pollIntervalSeconds: 86_400 }, config: FREE_PORT });
  const w = await sys.startWorker();
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 10_000 });
  dir = await mkdtemp(join(tmpdir(), 'ps-cli-'));
  configFile = join(dir, 'config.json');
  await writeFile(
    configFile,
    JSON.stringify({ nats: { servers: [sys.nats.url], user: 'worker', pass: 'worker-dev-password' }, workspaces: sys.config.workspaces }),
  );
});
afterAll(async () => {
  await sys?.stop();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[], config = configFile): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args, '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe('peoplesync bulk', () => {
  it('starts a run, follows it to the end and lists it in history', async () => {
    const start = await cli(['bulk', 'start', '--json', '--by', 'erin']);
    expect(start.err).toBe('');
    expect(start.code).toBe(0);
    const run = JSON.parse(start.out).run;
    expect(run).toMatchObject({ status: 'completed', startedBy: 'erin', phase: 'done' });
    expect(run.counts.scanned).toBe(sys.sandboxes.salesforce.counts().Lead + sys.sandboxes.salesforce.counts().Contact);

    const history = await cli(['bulk', 'history', '--json']);
    expect(JSON.parse(history.out).runs.map((r: { runId: string }) => r.runId)).toEqual([run.runId]);
  });

  it('refuses a second run, stops the running one, and says so by exit codes', async () => {
    sys.sandboxes.salesforce.setFaults({ latencyMs: 15_000 }); // the run outlasts the slowest CLI start-up
    try {
      const started = await cli(['bulk', 'start', '--detach', '--json']);
      expect(started.code).toBe(0);
      const runId = JSON.parse(started.out).run.runId;
      const again = await cli(['bulk', 'start', '--detach']);
      expect(again.code).toBe(1);
      expect(again.err).toContain(`bulk run ${runId} is running`);
      expect(again.err).toContain('run_active');
      const stop = await cli(['bulk', 'stop']);
      expect(stop.code).toBe(0);
      expect(stop.out).toMatch(new RegExp(`run\\s+${runId}`));
      expect(stop.out).toMatch(/status\s+stopped \(user\)/);
      // Nothing left to stop, and the last run was stopped: both say so by exit code 1.
      const [stopAgain, status] = await Promise.all([cli(['bulk', 'stop']), cli(['bulk', 'status'])]);
      expect(stopAgain.code).toBe(1);
      expect(status.code).toBe(1);
    } finally {
      sys.sandboxes.salesforce.clearFaults();
    }
  });

  it('exits 2 on bad usage and 3 when nothing answers', async () => {
    const deadConfig = join(dir, 'dead.json');
    await writeFile(deadConfig, JSON.stringify({ nats: { servers: ['nats://127.0.0.1:1'] }, workspaces: sys.config.workspaces }));
    const [usage, limit, dead] = await Promise.all([
      cli(['bulk', 'begin']),
      cli(['bulk', 'history', '--limit', 'many']),
      cli(['bulk', 'status'], deadConfig),
    ]);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('start, stop, status or history');
    expect(limit.code).toBe(2);
    expect(limit.err).toContain('--limit must be a whole number');
    expect(dead.code).toBe(3);
    expect(dead.err).toContain('cannot reach NATS at nats://127.0.0.1:1');
  });
});
