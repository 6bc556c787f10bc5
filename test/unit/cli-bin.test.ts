// The compiled `peoplesync` command: help per command and subcommand, --version from
// package.json, and the exit-code table (README, "Exit codes") for mistakes made before any
// connection.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binNodeFlags } from '../../cli/bin-flags.ts';
import { REPO_ROOT, freePort } from '../../cli/local-nats.ts';
import { runBin, runMain } from '../helpers/cli.ts';

const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('the peoplesync command', () => {
  it('runs as an executable with the node flags of its first line', async () => {
    expect(binNodeFlags()).toEqual(['--max-semi-space-size=64']);
    const r = await runBin(['help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: peoplesync \[options\] \[command\]/);
    for (const c of [
      'worker',
      'decode',
      'settings',
      'quota',
      'errors',
      'resync',
      'history',
      'credentials',
      'dlq',
      'bulk',
      'sandbox',
      'demo',
    ])
      expect(r.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
  });

  it('prints the version of package.json', async () => {
    expect(await runBin(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('helps with each command and subcommand, with examples', async () => {
    const bulk = await runMain(['help', 'bulk']);
    expect(bulk.code).toBe(0);
    expect(bulk.stdout).toMatch(/Usage: peoplesync bulk/);
    expect(bulk.stdout).toMatch(/start \[options\]\s+Start a bulk sync/);
    const start = await runMain(['help', 'bulk', 'start']);
    expect(start.stdout).toMatch(/--dry-run/);
    expect(start.stdout).toMatch(/Examples:\n {2}\$ peoplesync bulk start/);
    expect((await runMain(['bulk', 'start', '--help'])).stdout).toBe(start.stdout);
    expect((await runMain(['errors', 'retry', '--help'])).stdout).toMatch(/--no-wait/);
    expect(await runMain(['help', 'nope'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command "nope"/) });
  });

  it('exits 2 on a usage mistake, whatever the command', async () => {
    expect(await runMain([])).toMatchObject({ code: 2 });
    expect(await runMain(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command 'frobnicate'/) });
    expect(await runMain(['bulk', 'start', '--nope'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown option '--nope'/) });
    expect(await runMain(['worker', '--actors', 'bogus'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^peoplesync worker: unknown actor\(s\): bogus; known: /),
    });
    expect(await runMain(['history', 'ada@example.com', '--limit', 'x'])).toMatchObject({ code: 2 });
  });

  it('puts a usage mistake on stdout as the one error shape under --json', async () => {
    const r = await runMain(['worker', '--actors', 'bogus', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'usage', message: expect.stringMatching(/unknown actor/), exitCode: 2 } });
  });

  it('exits 3 from every command when NATS cannot be reached, with the one error shape under --json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ps-down-'));
    try {
      const config = join(dir, 'config.json');
      const ws = {
        id: 'ws1',
        salesforce: { auth: { kind: 'client_credentials', loginUrl: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's' } },
        intercom: { baseUrl: 'http://127.0.0.1:9', token: 't' },
      };
      await writeFile(config, JSON.stringify({ nats: { servers: [`nats://127.0.0.1:${await freePort()}`] }, workspaces: [ws] }));
      for (const args of [
        ['bulk', 'start'],
        ['bulk', 'status'],
        ['quota'],
        ['errors', 'count'],
        ['settings', 'get'],
        ['dlq', 'list'],
        ['worker'],
      ]) {
        const r = await runMain([...args, '--config', config, '--json']);
        expect({ args, code: r.code }).toEqual({ args, code: 3 });
        expect(JSON.parse(r.stdout)).toEqual({
          error: {
            code: 'nats_unreachable',
            message: expect.stringMatching(/^cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+/),
            exitCode: 3,
          },
        });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
