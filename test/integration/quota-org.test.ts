// The org as Salesforce reports it: other integrations' use (the sandbox's otherUsage), two
// workspaces on one org seeing each other as other integrations, and an exhausted org stopping
// every grant until /limits shows room again.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../../actors/index.ts';
import { runMain } from '../helpers/cli.ts';
import { defaultSettings } from '../../actors/mapping/index.ts';
import { createQuotaActor } from '../../actors/quota/index.ts';
import { QuotaUsageShow, type UsageIndicator } from '../../protocol/index.ts';
import { FIRST_SAVE_CALLS, type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { waitFor } from '../helpers/host.ts';
import { type ProbeContext, messenger, probes, spend, tryOne } from './quota-helpers.ts';
import { BIN } from '../../cli/bin-flags.ts';

const WS2 = 'ws2';
const OTHER = 5_000;
const RECHECK_MS = 500;
// While the org is exhausted the leader reads /limits; short here so the test runs quickly.
ACTORS.quota = createQuotaActor({ orgRecheckMs: RECHECK_MS });

let sys: TestSystem;
let p1: ProbeContext;
let p2: ProbeContext;

const show = (ws: string) => messenger(sys).request(QuotaUsageShow, ws, {});
const until = (ws: string, ok: (i: UsageIndicator) => boolean, what: string) =>
  waitFor(
    async () => {
      const i = await show(ws).catch(() => null);
      return i && ok(i) ? i : null;
    },
    { what, timeoutMs: 15_000 },
  );

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 20 }, salesforce: { otherUsage: OTHER }, settings: { sfApiLimit: 1000 } });
  // Two workspaces, one Salesforce org.
  const ws1 = sys.config.workspaces[0];
  await sys.saveSettings(WS2, defaultSettings({ sfApiLimit: 1000 }), { workspaces: [ws1, { ...ws1, id: WS2 }] });
  await sys.startWorker(['quota', 'quota-probe'], { workspaces: [ws1, { ...ws1, id: WS2 }] });
  p1 = probes.find((c) => c.ws === WS) as ProbeContext;
  p2 = probes.find((c) => c.ws === WS2) as ProbeContext;
  await until(WS, () => true, 'ws1 leader');
  await until(WS2, () => true, 'ws2 leader');
});
afterAll(async () => {
  await sys?.stop();
});

describe('the org view', () => {
  it("shows other integrations' use as used by others", async () => {
    const sb = sys.sandboxes.salesforce;
    await spend(p1, 'interactive', 5, 5);
    const i = await until(WS, (x) => x.orgUsed === sb.usage().used, 'org figures from Sforce-Limit-Info');
    expect(i.orgLimit).toBe(100_000);
    // Both workspaces' first saves read the describe (charged); ws2's calls are another's to ws1.
    expect(i.orgUsed).toBe(OTHER + 2 * FIRST_SAVE_CALLS + 5);
    // OAuth token requests are charged by neither side, so the split is exact.
    expect(sb.stats().byKind.auth).toBeGreaterThan(0);
    expect(i.usedByWorkspace).toBe(FIRST_SAVE_CALLS + 5);
    expect(i.usedByOthers).toBe(OTHER + FIRST_SAVE_CALLS);

    sb.addOtherUsage(2_500);
    await spend(p1, 'interactive', 1, 1);
    const j = await until(WS, (x) => x.orgUsed === sb.usage().used, 'a fresh org figure');
    expect(j.usedByOthers).toBe(OTHER + FIRST_SAVE_CALLS + 2_500);
  });

  it('two workspaces on one org each see the other as another integration', async () => {
    const sb = sys.sandboxes.salesforce;
    const current = (ws: string) => until(ws, (x) => x.orgUsed === sb.usage().used, `${ws} up to date`);
    await spend(p2, 'interactive', 1, 1); // ws2's token request and first figure
    await spend(p1, 'interactive', 1, 1);
    const base1 = (await current(WS)).usedByOthers as number;
    expect((await spend(p2, 'interactive', 7, 7)).granted).toBe(7);
    const base2 = (await current(WS2)).usedByOthers as number;
    expect((await spend(p1, 'interactive', 3, 3)).granted).toBe(3);
    // Each learns of the other's calls from the next figure Salesforce sends it.
    expect((await current(WS)).usedByOthers).toBe(base1 + 7);
    await spend(p2, 'interactive', 1, 1);
    const i2 = await current(WS2);
    expect(i2.usedByOthers).toBe(base2 + 3);
  });

  it('peoplesync quota prints the indicator, as text or JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ps-quota-cli-'));
    try {
      const cfg = join(dir, 'config.json');
      const ws1 = sys.config.workspaces[0];
      await writeFile(cfg, JSON.stringify({ ...sys.config, workspaces: [ws1, { ...ws1, id: WS2 }] }));
      const repo = resolve(import.meta.dirname, '..', '..');
      const cli = (...args: string[]) =>
        promisify(execFile)('node', [BIN, 'quota', '--config', cfg, ...args], { cwd: repo }).then(
          (r) => ({ code: 0, ...r }),
          (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
        );

      const json = await cli('--ws', WS, '--json');
      expect(json.code).toBe(0);
      const shown = JSON.parse(json.stdout) as UsageIndicator;
      const now = await show(WS);
      expect(shown).toMatchObject({ ws: WS, definedLimit: 1000, orgLimit: now.orgLimit, usedByOthers: now.usedByOthers, tier: 'normal' });

      // The text form in-process: one process start (~2 s here) is enough for the wiring.
      const text = await runMain(['quota', '--config', cfg, '--ws', WS]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`Salesforce API usage of workspace ${WS}`);
      expect(text.stdout).toMatch(new RegExp(`used by others\\s+${now.usedByOthers?.toLocaleString('en-US')}\\n`));
      expect(text.stdout).toMatch(/org limit \(24 h\)\s+100,000\n/);

      expect(await runMain(['quota', '--config', cfg])).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/--ws is needed: configured workspaces are ws1, ws2/),
      });
      expect(await runMain(['quota', '--config', cfg, '--ws', 'nope'])).toMatchObject({
        code: 2,
        stderr: 'peoplesync quota: workspace "nope" is unknown: the config has ws1, ws2\n',
      });
      // A workspace the command's config lists but no worker serves is unknown too, not a leader
      // that did not answer.
      await writeFile(cfg, JSON.stringify({ ...sys.config, workspaces: [ws1, { ...ws1, id: 'ghost' }] }));
      expect(await runMain(['quota', '--config', cfg, '--ws', 'ghost'])).toMatchObject({
        code: 2,
        stderr: 'peoplesync quota: workspace "ghost" is unknown: no worker serves it (unknown_workspace)\n',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an exhausted org stops every class until /limits shows room, re-read at most every N ms', async () => {
    const sb = sys.sandboxes.salesforce;
    sb.setDailyMax(sb.usage().used + 2);
    // The leader still believes the old maximum: it grants, and Salesforce refuses the third call.
    const err = await spend(p1, 'interactive', 5, 5).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REQUEST_LIMIT_EXCEEDED' });
    const i = await until(WS, (x) => x.orgExhausted, 'org exhausted');
    expect(i).toMatchObject({ tier: 'exhausted', remaining: 0 });
    for (const cls of ['bulk', 'event', 'interactive'] as const) expect(await tryOne(p1, cls)).toBe('exhausted');

    const limitsBefore = sb.stats().byKind.limits;
    const usedBefore = (await show(WS)).usedByWorkspace;
    const from = Date.now();
    await new Promise((r) => setTimeout(r, 2_000));
    const reads = sb.stats().byKind.limits - limitsBefore;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(Math.ceil((Date.now() - from) / RECHECK_MS) + 1);
    // Each re-read is a call, charged to the workspace.
    await until(WS, (x) => x.usedByWorkspace >= usedBefore + reads, 're-reads charged');

    sb.setDailyMax(200_000);
    await waitFor(async () => (await tryOne(p1, 'interactive')) === 'granted', { what: 'grants after the org has room', timeoutMs: 5_000 });
    expect(await show(WS)).toMatchObject({ orgExhausted: false, orgLimit: 200_000, tier: 'normal' });
  });
});
