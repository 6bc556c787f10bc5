// The errors, resync and dlq commands against a real worker, as an operator runs them: in-process
// through main() for most cases, and once through the installed binary.
import { BIN } from '../../cli/bin-flags.ts';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { ReportSyncError } from '../../protocol/index.ts';
import { waitFor } from '../helpers/host.ts';
import { USERS } from '../helpers/nats-server.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { SF_LEAD, messenger, purgeWork, report, workItems } from './errors-helpers.ts';

let sys: TestSystem;
let configFile: string;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 5 } });
  await sys.startWorker(['errors']);
  configFile = join(sys.config.dataDir, 'cli.json');
  // The CLI connects as the operator: control requests only.
  await writeFile(
    configFile,
    JSON.stringify({
      nats: { servers: sys.config.nats.servers, ...USERS.operator },
      logLevel: 'silent',
      workspaces: sys.config.workspaces,
    }),
  );
  const m = messenger(sys.nc);
  const t = Date.now();
  await m.publish(ReportSyncError, WS, report({ at: t - 3 * 86_400_000 }), { cls: 'event' });
  await m.publish(
    ReportSyncError,
    WS,
    report({
      at: t,
      sfObject: 'Lead',
      sfId: SF_LEAD,
      cause: 'field_too_long',
      attributes: ['City'],
      message: 'City: data value too large',
    }),
    { cls: 'event' },
  );
  await m.publish(ReportSyncError, WS, report({ at: t, direction: 'salesforce_to_intercom', cause: 'not_found', attributes: ['name'] }), {
    cls: 'event',
  });
  await waitFor(async () => (await runCli('errors', 'count', '--json')).out.includes('"total": 3'), { what: 'three errors' });
}, 60_000);
afterAll(async () => {
  await sys?.stop();
});

async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main([...argv, '--config', configFile]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('peoplesync errors', () => {
  it('lists Intercom-to-Salesforce errors, all with --all, filtered by cause and time', async () => {
    const text = await runCli('errors', 'list');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^2 of 2 sync errors \(Intercom -> Salesforce; --all for both directions\)/);
    expect(text.out.indexOf('field_too_long')).toBeLessThan(text.out.indexOf('validation_rule')); // newest first
    const all = JSON.parse((await runCli('errors', 'list', '--all', '--json')).out) as { total: number };
    expect(all.total).toBe(3);
    expect(JSON.parse((await runCli('errors', 'list', '--cause', 'field_too_long', '--json')).out)).toMatchObject({ total: 1 });
    expect(JSON.parse((await runCli('errors', 'list', '--since', '1d', '--json')).out)).toMatchObject({ total: 1 });
    expect(JSON.parse((await runCli('errors', 'list', '--type', 'bulk', '--json')).out)).toMatchObject({ total: 0 });
  });

  it('shows one error, counts by cause and retries by id and by cause', async () => {
    const { errors } = JSON.parse((await runCli('errors', 'list', '--all', '--json')).out) as { errors: { id: string; cause: string }[] };
    const lead = errors.find((x) => x.cause === 'field_too_long') as { id: string };
    const shown = await runCli('errors', 'show', lead.id);
    expect(shown.out).toMatch(/^message\s+City: data value too large$/m);
    expect((await runCli('errors', 'count')).out).toBe('field_too_long   1\nnot_found        1\nvalidation_rule  1\ntotal            3\n');
    await purgeWork(sys.admin, 'peoplesync.work.*.match.>');
    expect((await runCli('errors', 'retry', lead.id, '--no-wait')).out).toBe('Queued 1 retry (class retry).\n');
    expect((await runCli('errors', 'retry', '--cause', 'not_found', '--no-wait')).out).toBe('Queued 1 retry (class retry).\n');
    const items = await workItems(sys.nc, `peoplesync.work.${WS}.match.retry`);
    expect(items.map((i) => (i.body.errorIds as string[])[0])).toEqual([lead.id, errors.find((x) => x.cause === 'not_found')?.id]);
  });

  it('refuses bad arguments before connecting, and reports an unknown id', async () => {
    expect(await runCli('errors', 'list', '--since', 'yesterday')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--since must be a duration/),
    });
    expect(await runCli('errors', 'list', '--cause', 'bad')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--cause must be one of validation_rule/),
    });
    expect(await runCli('errors', 'retry')).toMatchObject({ code: 2, err: expect.stringMatching(/needs error ids or --cause/) });
    expect(await runCli('errors', 'frobnicate')).toMatchObject({
      code: 2,
      err: "peoplesync errors: unknown command 'frobnicate'; say list, show, count or retry\n",
    });
    expect(await runCli('errors', 'show', 'ffffffffffffffffffffffff')).toMatchObject({
      code: 1,
      err: expect.stringMatching(/no sync error ffffffffffffffffffffffff .*\(not_found\)/),
    });
  });
});

describe('peoplesync resync and dlq', () => {
  it('resyncs by key with class interactive, refusing a key of no known shape', async () => {
    await purgeWork(sys.admin, 'peoplesync.work.*.match.>');
    // Only the errors actor runs here: nothing would answer a waiting resync.
    expect(await runCli('resync', 'Person@Example.com', '--no-wait')).toMatchObject({
      code: 0,
      out: 'Queued a resync of Person@Example.com (class interactive).\n',
    });
    const items = await workItems(sys.nc, `peoplesync.work.${WS}.match.>`);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ subject: `peoplesync.work.${WS}.match.interactive`, body: { email: 'Person@Example.com' } });
    expect(await runCli('resync', '001000000000001')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/neither a Lead \(00Q\) nor a Contact \(003\)/),
    });
  });

  it('lists dead letters and reports sequences it could not replay', async () => {
    expect(await runCli('dlq', 'list')).toMatchObject({ code: 0, out: 'No dead letters.\n' });
    expect(await runCli('dlq', 'replay', '424242')).toMatchObject({ code: 1, out: 'Replayed 0 of 1. Not found: 424242\n' });
    expect(await runCli('dlq', 'replay', 'x')).toMatchObject({ code: 2 });
  });

  it('runs as the installed binary', async () => {
    const bin = BIN;
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'errors', 'count', '--json', '--config', configFile], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toMatchObject({ total: 3 });
  });
});
