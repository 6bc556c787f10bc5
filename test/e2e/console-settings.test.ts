// The settings console in a real browser, on a running system with both sandboxes and a new
// workspace: sign in (a wrong password refused), the first settings saved from the console,
// a mapping whose type pair cannot sync refused with its reason next to the row, a bulk run that
// pauses for API capacity and resumes when the limit is raised, watched to 100 % without a
// reload, a stop, and the confirmation a save asks for while a run is active (both answers).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkStatus, QuotaUsageShow, SettingsGet } from '../../protocol/index.ts';
import { launchBrowser, screenshotDir, shoot, signInAs } from '../helpers/browser.ts';
import { ADMIN, consoleConfig } from '../helpers/console.ts';
import { waitFor } from '../helpers/host.ts';
import { freePort } from '../helpers/nats-server.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';

let sys: TestSystem;
let base: string;
let browser: Browser;
let page: Page;
let shots: string;

beforeAll(async () => {
  shots = screenshotDir('console-settings');
  // A new workspace: nothing saved yet.
  sys = await startSystem({ generator: { people: 800, oddShare: 0, duplicateShare: 0 }, settings: null });
  const port = await freePort();
  const w = await sys.startWorker(undefined, { http: { host: '127.0.0.1', port }, console: await consoleConfig() });
  base = `http://127.0.0.1:${port}`;
  await waitFor(() => w.host.isLeading('coordinator', WS) && w.host.isLeading('quota', WS), { what: 'leaders', timeoutMs: 15_000 });
  await waitFor(
    () =>
      w.host.messenger.request(QuotaUsageShow, WS, {}).then(
        () => true,
        () => false,
      ),
    { what: 'the quota leader' },
  );
  browser = await launchBrowser();
  page = await browser.newPage();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

const m = () => sys.workers[0].host.messenger;
const revision = async () => (await m().request(SettingsGet, WS, {})).revision;
const currentRun = async () => (await m().request(BulkStatus, WS, {})).run;
const text = (sel: string) => page.textContent(sel).then((t) => t ?? '');
const row = (i: number) => page.locator('#mapping-rows tr.mapping').nth(i);

/** Picks a row's cells: object, field, direction, attribute. */
async function setRow(i: number, m: { sfObject: string; sfField: string; direction: string; icAttribute: string }): Promise<void> {
  const r = row(i);
  await r.locator('select[name=sfObject]').selectOption(m.sfObject);
  await r.locator('select[name=sfField]').selectOption(m.sfField);
  await r.locator('select[name=direction]').selectOption(m.direction);
  await r.locator('select[name=icAttribute]').selectOption(m.icAttribute);
}

const TO_IC = 'salesforce_to_intercom';
const TO_SF = 'intercom_to_salesforce';

/** A limit the workspace's use already reaches 40 % of: bulk sync pauses, look-ups still fit. */
async function pausingLimit(): Promise<number> {
  const used = (await m().request(QuotaUsageShow, WS, {})).usedByWorkspace;
  return Math.max(2, Math.floor((used * 100) / 40));
}

async function saveLimit(limit: number): Promise<void> {
  await page.fill('input[name=sfApiLimit]', String(limit));
  await page.click('#limit button.save');
  await page.waitForSelector(`#save-status:has-text("Saved (revision")`);
}

async function startPausedRun(): Promise<string> {
  await page.click('#bulk-start');
  await page.waitForSelector('[data-testid=bulk-status]:has-text("paused")', { timeout: 30_000 });
  return (await currentRun())?.runId as string;
}

describe('the settings console', () => {
  it('sends an anonymous visitor to sign in, refuses a wrong password, and signs in', async () => {
    await page.goto(`${base}/ws/${WS}`);
    expect(page.url()).toBe(`${base}/login?next=${encodeURIComponent(`/ws/${WS}`)}`);
    await page.fill('input[name=name]', ADMIN.name);
    await page.fill('input[name=password]', 'not-the-password');
    const refused = page.waitForResponse((r) => r.url() === `${base}/login` && r.request().method() === 'POST');
    await page.click('form[action="/login"] button[type=submit]');
    expect((await refused).status()).toBe(401);
    expect(await text('[data-testid=signin-error]')).toBe('Wrong name or password.');
    await shoot(page, shots, '01-sign-in-refused');
    await signInAs(page, base, ADMIN, `${base}/ws/${WS}`);
    expect(await text('[data-testid=operator]')).toBe(`${ADMIN.name} (admin)`);
    expect(await text('[data-testid=usage-tier]')).toMatch(/No limit defined yet/);
    await shoot(page, shots, '02-first-run');
  });

  it("saves a new workspace's first settings from the console", async () => {
    expect(await revision()).toBe(0);
    await page.fill('input[name=sfApiLimit]', '10');
    await page.fill('input[name=installerEmail]', 'installer@example.com');
    await page.fill('input[name=pollIntervalSeconds]', '86400');
    for (let i = 0; i < 4; i++) await page.click('#add-mapping');
    await setRow(0, { sfObject: 'Lead', sfField: 'Title', direction: TO_IC, icAttribute: 'custom_attributes.job_title' });
    await setRow(1, { sfObject: 'Contact', sfField: 'Title', direction: TO_IC, icAttribute: 'custom_attributes.job_title' });
    await setRow(2, { sfObject: 'Lead', sfField: 'Phone', direction: TO_SF, icAttribute: 'phone' });
    await setRow(3, { sfObject: 'Contact', sfField: 'Phone', direction: TO_SF, icAttribute: 'phone' });
    await page.click('#save-settings');
    await page.waitForSelector('#save-status:has-text("Saved (revision 1)")');
    const stored = (await m().request(SettingsGet, WS, {})).settings as { sfApiLimit: number; mappings: { id: string }[] };
    expect(stored.sfApiLimit).toBe(10);
    expect(stored.mappings.map((x) => x.id)).toEqual([
      'lead-title-to-job_title',
      'contact-title-to-job_title',
      'lead-phone-from-phone',
      'contact-phone-from-phone',
    ]);
    // The check's describe calls were charged to the workspace like any others.
    expect((await m().request(QuotaUsageShow, WS, {})).usedByWorkspace).toBeGreaterThanOrEqual(2);
  });

  it('refuses a mapping whose types cannot sync, with the reason next to its row, and every problem at once', async () => {
    await page.reload();
    // Lead.NumberOfEmployees is a number; job_title is text. And a second mapping writing Lead.Phone.
    await row(0).locator('select[name=sfField]').selectOption('NumberOfEmployees');
    await setRow(3, { sfObject: 'Lead', sfField: 'Phone', direction: TO_SF, icAttribute: 'phone' });
    await page.click('#save-settings');
    await page.waitForSelector('#save-status:has-text("Settings refused, nothing was saved: 2 problems.")');
    expect(await row(0).locator('[data-testid=row-problem]').textContent()).toMatch(
      /^Salesforce int field Lead\.NumberOfEmployees cannot map to Intercom string attribute "custom_attributes\.job_title"/,
    );
    expect(await row(3).locator('[data-testid=row-problem]').textContent()).toMatch(
      /Salesforce field Lead\.Phone is already written by mapping/,
    );
    expect(await row(1).locator('[data-testid=row-problem]').textContent()).toBe('');
    await shoot(page, shots, '03-mapping-refused');
    expect(await revision()).toBe(1);
  });

  it('pauses a bulk sync for API capacity; a save of new mappings asks first, and Cancel changes nothing', async () => {
    await page.reload();
    // Starting spends the record counts; at 10 calls that takes the workspace to 40 %.
    const runId = await startPausedRun();
    expect(await text('[data-testid=bulk-status]')).toMatch(new RegExp(`^Run ${runId}: paused, .*waiting for API capacity`));
    // Paused after listing Intercom's contacts: the bar moved during the index phase.
    await waitFor(async () => ((await currentRun())?.indexListed ?? 0) > 0 && (await currentRun())?.phase !== 'index', {
      what: 'index done',
    });
    await page.waitForFunction("Number(document.querySelector('[data-testid=bulk-percent]').textContent.replace('%', '')) > 0");
    await shoot(page, shots, '04-run-paused');

    await row(1).locator('button.remove').click();
    await page.click('#save-settings');
    await page.waitForSelector('#confirm-stop[open]');
    expect(await text('#confirm-stop')).toMatch(/Saving these settings stops it, and a stopped bulk sync can't be resumed/);
    await shoot(page, shots, '05-confirm-stop');
    await page.click('#confirm-cancel');
    expect(await page.isVisible('#confirm-stop')).toBe(false);
    expect(await text('#save-status')).toBe('Nothing was saved.');
    expect(await revision()).toBe(1);
    expect((await currentRun())?.status).toBe('paused');
  });

  it('resumes the paused run when the limit is raised, and follows it to 100 % without reloading', async () => {
    await page.reload(); // the removed row comes back: only the limit changes
    const runId = (await currentRun())?.runId;
    // Marks this document and records every status it shows: a reload would lose both.
    await page.evaluate(`
      window.notReloaded = true;
      window.seen = [];
      new MutationObserver(() => window.seen.push(document.querySelector('[data-testid=bulk-status]').textContent))
        .observe(document.querySelector('#run'), { childList: true, subtree: true, characterData: true });
    `);
    await saveLimit(15_000);
    await page.waitForSelector('[data-testid=bulk-percent]:text-is("100%")', { timeout: 60_000 });
    expect(await text('[data-testid=bulk-status]')).toBe(`Run ${runId}: completed`);
    const seen = (await page.evaluate('({ notReloaded: window.notReloaded, seen: window.seen })')) as {
      notReloaded?: boolean;
      seen: string[];
    };
    expect(seen.notReloaded).toBe(true);
    expect(seen.seen.some((s) => /: running, (contacts|leads)$/.test(s))).toBe(true);
    expect(await page.getAttribute('#bulk progress', 'value')).toBe('100');
    await shoot(page, shots, '06-run-completed');
    const done = await currentRun();
    expect(done).toMatchObject({ runId, status: 'completed', percent: 100 });
    expect(await text('#runs tbody')).toContain('completed');
  });

  it('stops a running sync from its Stop button', async () => {
    await saveLimit(await pausingLimit());
    const runId = await startPausedRun();
    await page.click('#bulk-stop');
    await page.waitForSelector('[data-testid=bulk-status]:has-text("stopped")');
    expect(await text('[data-testid=bulk-status]')).toBe(`Run ${runId}: stopped (user)`);
    expect(await page.isDisabled('#bulk-stop')).toBe(true);
    expect(await page.isEnabled('#bulk-start')).toBe(true);
    expect((await currentRun())?.status).toBe('stopped');
    await shoot(page, shots, '07-run-stopped');
  });

  it('stops the run and saves when the confirmation is accepted', async () => {
    const before = await revision();
    const runId = await startPausedRun();
    await row(1).locator('button.remove').click();
    await page.click('#save-settings');
    await page.waitForSelector('#confirm-stop[open]');
    await page.click('#confirm-save');
    await page.waitForSelector(`#save-status:has-text("bulk sync ${runId} stopped")`);
    await page.waitForSelector('[data-testid=bulk-status]:has-text("stopped (settings_changed)")');
    expect(await revision()).toBeGreaterThan(before);
    expect((await m().request(SettingsGet, WS, {})).settings).toMatchObject({ mappings: { length: 3 } });
    expect((await currentRun())?.status).toBe('stopped');
    // The run history: every run with its counts.
    const statuses = await page.locator('#runs tbody tr td:nth-child(3)').allTextContents();
    expect(statuses.slice(0, 3)).toEqual(['stopped (settings_changed)', 'stopped (user)', 'completed']);
    await shoot(page, shots, '08-saved-and-stopped');
  });
});
