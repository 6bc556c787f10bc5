// The first settings of a new workspace, saved as a person saves them, with no shortcut: through
// the HTTP API (an operator's token) and through `peoplesync settings save`. No limit exists
// before that save, yet its describe calls are granted, charged and counted.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { QuotaUsageShow, SettingsGet, type UsageIndicator } from '../../protocol/index.ts';
import { ADMIN, bearer, consoleConfig } from '../helpers/console.ts';
import { waitFor } from '../helpers/host.ts';
import { freePort } from '../helpers/nats-server.ts';
import { FIRST_SAVE_CALLS, type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { BIN } from '../../cli/bin-flags.ts';

const WS2 = 'ws2';
const REPO = resolve(import.meta.dirname, '..', '..');
let sys: TestSystem;
let base: string;
let dir: string;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 10 }, settings: null });
  const port = await freePort();
  const ws1 = sys.config.workspaces[0];
  // Two new workspaces on one org: one saved over HTTP, the other from the command line.
  await sys.startWorker(['quota', 'mapping', 'gateway'], {
    http: { host: '127.0.0.1', port },
    console: await consoleConfig(),
    workspaces: [ws1, { ...ws1, id: WS2 }],
  });
  base = `http://127.0.0.1:${port}`;
  dir = await mkdtemp(join(tmpdir(), 'ps-first-save-'));
  const m = sys.workers[0].host.messenger;
  for (const ws of [WS, WS2])
    await waitFor(
      () =>
        m.request(QuotaUsageShow, ws, {}).then(
          () => true,
          () => false,
        ),
      { what: `${ws} quota leader` },
    );
}, 60_000);
afterAll(async () => {
  await sys?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const usage = (ws: string): Promise<UsageIndicator> => sys.workers[0].host.messenger.request(QuotaUsageShow, ws, {});

describe('the first settings of a new workspace', () => {
  it('are saved through the HTTP API; the describe calls that checked them are charged', async () => {
    expect(await usage(WS)).toMatchObject({ definedLimit: 0, usedByWorkspace: 0 });
    const res = await fetch(`${base}/api/${WS}/settings`, {
      method: 'PUT',
      headers: { ...bearer(ADMIN.token), 'content-type': 'application/json' },
      body: JSON.stringify({ settings: defaultSettings({ sfApiLimit: 2_000 }) }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revision: 1, stoppedRun: null });
    expect(await sys.workers[0].host.messenger.request(SettingsGet, WS, {})).toMatchObject({
      revision: 1,
      settings: { sfApiLimit: 2_000 },
    });
    const u = await waitFor(
      async () => {
        const x = await usage(WS);
        return x.definedLimit === 2_000 ? x : null;
      },
      { what: 'the limit applied' },
    );
    expect(u.usedByWorkspace).toBe(FIRST_SAVE_CALLS);
    expect(sys.sandboxes.salesforce.usage().own).toBe(FIRST_SAVE_CALLS);
  });

  it('are saved by peoplesync settings save', async () => {
    const cfg = join(dir, 'config.json');
    const ws1 = sys.config.workspaces[0];
    await writeFile(cfg, JSON.stringify({ ...sys.config, workspaces: [ws1, { ...ws1, id: WS2 }] }));
    const file = join(dir, 'settings.json');
    await writeFile(file, JSON.stringify(defaultSettings({ sfApiLimit: 3_000 })));
    const r = await promisify(execFile)('node', [BIN, 'settings', 'save', file, '--config', cfg, '--ws', WS2], {
      cwd: REPO,
    }).then(
      (x) => ({ code: 0, ...x }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    // Revisions count saves of the whole bucket: ws1's came first.
    expect(r).toMatchObject({ code: 0, stdout: 'saved settings revision 2\n' });
    expect(await sys.workers[0].host.messenger.request(SettingsGet, WS2, {})).toMatchObject({
      revision: 2,
      settings: { sfApiLimit: 3_000 },
    });
    const u = await waitFor(
      async () => {
        const x = await usage(WS2);
        return x.definedLimit === 3_000 ? x : null;
      },
      { what: 'the limit applied' },
    );
    expect(u.usedByWorkspace).toBe(FIRST_SAVE_CALLS);
  });
});
