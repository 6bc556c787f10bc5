// An idle worker process stops promptly on SIGTERM: nothing in flight, so nothing to wait for.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, binNodeFlags } from '../../cli/bin-flags.ts';
import { waitFor } from '../helpers/host.ts';
import { type NatsServerHandle, startNatsServer } from '../helpers/nats-server.ts';

let nats: NatsServerHandle;
let dir: string;
beforeAll(async () => {
  nats = await startNatsServer();
  dir = await mkdtemp(join(tmpdir(), 'ps-shutdown-'));
});
afterAll(async () => {
  await nats?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('peoplesync worker', () => {
  it('exits 0 on SIGTERM well within the 10 s grace an idle worker has no use for', async () => {
    const config = join(dir, 'worker.json');
    await writeFile(
      config,
      JSON.stringify({
        nats: { servers: [nats.url], user: 'worker', pass: 'worker-dev-password' },
        logLevel: 'info',
        dataDir: join(dir, 'data'),
        workspaces: [
          {
            id: 'ws1',
            salesforce: { auth: { kind: 'client_credentials', loginUrl: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's' } },
            intercom: { baseUrl: 'http://127.0.0.1:9', token: 't', webhookSecret: 'w' },
          },
        ],
      }),
    );
    const p = spawn(process.execPath, [...binNodeFlags(), BIN, 'worker', '--actors', 'writer,mapping,errors', '--config', config]);
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('"worker started"'), { what: `the worker to start (${out})`, timeoutMs: 30_000 });
    p.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 5 s'), 5_000))]);
    p.kill('SIGKILL');
    expect(code).toBe(0);
  });
});
