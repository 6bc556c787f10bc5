// The console's Sync Errors tab, a person's history, a read-only operator and a cross-site form,
// in a real browser on a running system: a bulk run whose Salesforce writes a validation rule
// refuses, the errors filtered and opened, retried after the rule goes (the row leaves the list
// without a reload), the retried person's history, and what a read-only operator may not do.
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkStart, BulkStatus, ErrorsList, PersonHistory, type SyncError } from '../../protocol/index.ts';
import { launchBrowser, screenshotDir, shoot, signInAs } from '../helpers/browser.ts';
import { ADMIN, READER, consoleConfig } from '../helpers/console.ts';
import { waitFor } from '../helpers/host.ts';
import { freePort } from '../helpers/nats-server.ts';
import { type TestSystem, WS, startSystem } from '../helpers/system.ts';

const RULE = 'no-contact-phone';
const MESSAGE = 'Phone numbers of Contacts are kept by the sales team';
let sys: TestSystem;
let base: string;
let browser: Browser;
let page: Page;
let shots: string;
let errors: SyncError[];

beforeAll(async () => {
  shots = screenshotDir('console-errors');
  sys = await startSystem({ generator: { people: 300, oddShare: 0, duplicateShare: 0 }, settings: { pollIntervalSeconds: 86_400 } });
  const port = await freePort();
  const w = await sys.startWorker(undefined, { http: { host: '127.0.0.1', port }, console: await consoleConfig() });
  base = `http://127.0.0.1:${port}`;
  await waitFor(() => w.host.isLeading('coordinator', WS), { what: 'coordinator leading', timeoutMs: 15_000 });
  // Every Contact's Phone update is refused: the run leaves validation-rule errors behind.
  sys.sandboxes.salesforce.addRule({ name: RULE, object: 'Contact', field: 'Phone', message: MESSAGE });
  const { run } = await w.host.messenger.request(BulkStart, WS, { startedBy: 'e2e' });
  await waitFor(async () => (await w.host.messenger.request(BulkStatus, WS, {})).run?.status === 'completed', {
    what: run.runId,
    timeoutMs: 60_000,
  });
  errors = (await w.host.messenger.request(ErrorsList, WS, { cause: 'validation_rule', limit: 500 })).errors;
  browser = await launchBrowser();
  page = await browser.newPage();
  await signInAs(page, base, ADMIN);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

const m = () => sys.workers[0].host.messenger;
const rows = () => page.locator('#errors tbody tr');
/** The text of every cell of the rows a locator finds. */
type Row = { children: ArrayLike<{ textContent: string | null }> };
const cells = (sel: string): Promise<string[][]> =>
  page.locator(sel).evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as Row).children, (td) => td.textContent ?? '')));

describe('the Sync Errors tab', () => {
  it('lists the run’s errors with time, cause, sync type and record, filtered by cause and type', async () => {
    expect(errors.length).toBeGreaterThan(1);
    await page.goto(`${base}/ws/${WS}`);
    await page.click('nav.tabs >> text=Sync errors');
    await page.selectOption('select[name=cause]', 'validation_rule');
    await page.selectOption('select[name=syncType]', 'bulk');
    await Promise.all([page.waitForURL(/cause=validation_rule/), page.click('#error-filters button[type=submit]')]);
    expect(await rows().count()).toBe(errors.length);
    expect(await page.textContent('[data-testid=errors-total]')).toBe(String(errors.length));
    for (const row of await cells('#errors tbody tr')) {
      expect(row[1]).toBe('validation_rule');
      expect(row[2]).toBe('bulk');
      expect(row[3]).toBe('Intercom → Salesforce');
      expect(row[4]).toMatch(/^Contact 003\w+Intercom \w+$/);
    }
    await page.selectOption('select[name=syncType]', 'event');
    await Promise.all([page.waitForURL(/syncType=event/), page.click('#error-filters button[type=submit]')]);
    expect(await rows().count()).toBe(0);
    await page.goBack();
    await shoot(page, shots, '01-sync-errors');
  });

  it("opens an error's details: the Salesforce status code and message, attempts, first and last seen; and retries it", async () => {
    const e = errors[0];
    await page.click(`tr[data-error-id="${e.id}"] a.details`);
    await page.waitForURL(`${base}/ws/${WS}/errors/${e.id}`);
    const field = (name: string) => page.textContent(`td[data-field="${name}"]`);
    expect(await field('Status code')).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    expect(await field('Message')).toBe(`FIELD_CUSTOM_VALIDATION_EXCEPTION: ${MESSAGE}`);
    expect(await field('Attempts')).toBe('1');
    expect(await field('First seen')).toBe(new Date(e.firstAt).toISOString().replace('T', ' ').slice(0, 19) + ' UTC');
    expect(await field('Last seen')).toBe(new Date(e.lastAt).toISOString().replace('T', ' ').slice(0, 19) + ' UTC');
    await shoot(page, shots, '02-error-details');
    // Fixed at the source: the retry writes the value and the error goes.
    sys.sandboxes.salesforce.removeRule(RULE);
    await page.click('#error-details button.retry');
    await page.waitForSelector('#error-details .retry-status:text-is("Resolved")', { timeout: 30_000 });
    expect((await m().request(ErrorsList, WS, { limit: 500 })).errors.some((x) => x.id === e.id)).toBe(false);
  });

  it('drops a row that retries successfully from the list, without a reload', async () => {
    await page.goto(`${base}/ws/${WS}/errors?cause=validation_rule`);
    await page.evaluate('window.notReloaded = true');
    const e = errors[1];
    const before = await rows().count();
    await page.click(`tr[data-error-id="${e.id}"] button.retry`);
    await page.waitForSelector(`tr[data-error-id="${e.id}"]`, { state: 'detached', timeout: 30_000 });
    expect(await rows().count()).toBe(before - 1);
    expect(await page.textContent('[data-testid=errors-total]')).toBe(String(before - 1));
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(sys.sandboxes.salesforce.get(e.sfId as string)?.Phone).toBe(
      sys.sandboxes.intercom.contacts().find((c) => c.id === e.icId)?.phone,
    );
  });
});

describe("a person's history", () => {
  it('lists the changes synced for them, newest first, the retried one on top', async () => {
    const e = errors[1];
    await page.fill('nav.tabs input[name=key]', e.sfId as string);
    await Promise.all([page.waitForURL(`${base}/ws/${WS}/people/${e.sfId}`), page.click('nav.tabs .lookup button')]);
    const h = await m().request(PersonHistory, WS, { key: e.sfId as string });
    const shown = await cells('#history tbody tr');
    expect(shown).toHaveLength(h.changes.length);
    // In the endpoint's order, newest first; the retry wrote the record's refused changes in one
    // update (the validation rule refused the whole record), so they come first. The bulk run may
    // have written the person within the same second, so the shown time alone cannot tell them apart.
    expect(shown.map((r) => r[2])).toEqual(h.changes.map((c) => c.attribute));
    const retried = h.changes.filter((c) => c.syncType === 'retry').length;
    expect(retried).toBeGreaterThan(0);
    const newest = shown.slice(0, retried);
    for (const r of newest) expect([r[1], r[5], r[6]]).toEqual(['Intercom → Salesforce', 'retry', '–']);
    // Below them, what the bulk run synced for the person, if anything.
    for (const r of shown.slice(newest.length)) expect(r[5]).toBe('bulk');
    expect(shown.map((r) => r[0])).toEqual([...shown.map((r) => r[0])].sort().reverse());
    await shoot(page, shots, '03-person-history');
  });
});

describe('a read-only operator', () => {
  it('sees usage, runs and errors, and can change nothing', async () => {
    const ctx = await browser.newContext();
    const rob = await ctx.newPage();
    try {
      await signInAs(rob, base, READER);
      await rob.goto(`${base}/ws/${WS}`);
      expect(await rob.textContent('[data-testid=operator]')).toBe(`${READER.name} (read-only)`);
      expect(await rob.textContent('[data-testid=used-workspace]')).toMatch(/^\d/);
      expect(await rob.locator('#runs tbody tr').count()).toBeGreaterThan(0);
      for (const sel of ['#bulk-start', '#bulk-dry-run', '#save-settings', 'input[name=sfApiLimit]', '#add-mapping']) {
        expect([sel, await rob.isDisabled(sel)]).toEqual([sel, true]);
      }
      await shoot(rob, shots, '04-read-only');
      // The page's own means, used anyway: refused.
      const status = await rob.evaluate(
        `fetch('/api/${WS}/bulk/start', { method: 'POST', headers: { 'content-type': 'application/json',
          'x-csrf-token': document.querySelector('meta[name=csrf-token]').content }, body: '{}' }).then((r) => r.status)`,
      );
      expect(status).toBe(403);
      await rob.goto(`${base}/ws/${WS}/errors?all=1`);
      expect(await rob.locator('button.retry').first().isDisabled()).toBe(true);
    } finally {
      await ctx.close();
    }
  });
});

describe('a form on another site', () => {
  let evil: Server;
  afterAll(() => evil?.close());

  it('cannot start a bulk sync with a signed-in operator’s browser', async () => {
    const port = await freePort();
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form method="post" action="${base}/api/${WS}/bulk/start"><input name="dryRun" value="true"></form>
        <script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(port, '127.0.0.1', r));
    const before = (await m().request(BulkStatus, WS, {})).run?.runId;
    const answered = page.waitForResponse((r) => r.url() === `${base}/api/${WS}/bulk/start`);
    await page.goto(`http://localhost:${port}/`);
    const res = await answered;
    expect([401, 403]).toContain(res.status());
    await shoot(page, shots, '05-cross-site-refused');
    expect((await m().request(BulkStatus, WS, {})).run?.runId).toBe(before);
  });
});
