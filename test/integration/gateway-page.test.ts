// The console's pages in a real browser (Debian's chromium driven by playwright-core), signed in
// as an operator: the usage indicator with its warning, the latest sync errors with a Retry button
// that queues a retry, and the current bulk run with its progress.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARNING_SOON } from '../../actors/quota/index.ts';
import { QuotaUsage, ReportSyncError, SyncErrorResolved } from '../../protocol/index.ts';
import type { Messenger } from '../../runtime/index.ts';
import { waitFor } from '../helpers/host.ts';
import { freePort } from '../helpers/nats-server.ts';
import { launchBrowser, signInAs } from '../helpers/browser.ts';
import { ADMIN, bearer, consoleConfig } from '../helpers/console.ts';
import { FIRST_SAVE_CALLS, type TestSystem, WS, startSystem } from '../helpers/system.ts';
import { SF_LEAD, messenger, purgeWork, report, workItems } from './errors-helpers.ts';

let sys: TestSystem;
let m: Messenger;
let base: string;
let browser: Browser;

beforeAll(async () => {
  sys = await startSystem({ generator: { people: 5 }, settings: { sfApiLimit: 100 } });
  const port = await freePort();
  await sys.startWorker(['errors', 'gateway', 'quota'], { http: { host: '127.0.0.1', port }, console: await consoleConfig() });
  base = `http://127.0.0.1:${port}`;
  m = messenger(sys.nc);
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { ...bearer(ADMIN.token), ...(init.headers as Record<string, string>) } });

/** A new page of a browser signed in through the login form. */
async function signedInPage(): Promise<Page> {
  const page = await browser.newPage();
  await signInAs(page, base, ADMIN);
  return page;
}

describe('workspace page', () => {
  it('shows the usage warning and the latest errors, and retries one from its button', async () => {
    // 85 of the workspace's 100 calls: event sync pauses and the indicator warns.
    await m.publish(QuotaUsage, WS, { calls: 85 - FIRST_SAVE_CALLS, at: Date.now() }, { cls: 'event' });
    await waitFor(async () => ((await (await api(`/api/${WS}/quota`)).json()) as { tier?: string }).tier === 'event_paused', {
      what: 'tier event_paused',
    });
    const t = Date.now();
    await m.publish(ReportSyncError, WS, report({ at: t, message: 'Title <b>CEO</b> is not allowed' }), { cls: 'event' });
    await m.publish(
      ReportSyncError,
      WS,
      report({
        at: t + 1,
        direction: 'salesforce_to_intercom',
        sfObject: 'Lead',
        sfId: SF_LEAD,
        cause: 'not_found',
        message: 'contact is gone',
        attributes: ['name'],
      }),
      { cls: 'event' },
    );
    await waitFor(async () => ((await (await api(`/api/${WS}/errors?all=1`)).json()) as { total: number }).total === 2, {
      what: 'two errors',
    });

    const page = await signedInPage();
    try {
      await page.goto(`${base}/ws/${WS}`);
      expect(await page.title()).toBe(`peoplesync · ${WS}`);
      expect(await page.textContent('[data-testid=usage-warning]')).toBe(WARNING_SOON);
      expect(await page.textContent('[data-testid=usage-percent]')).toBe('85%');
      expect(await page.textContent('[data-testid=usage-tier]')).toMatch(/Event sync paused/);
      // This worker hosts no coordinator: the bulk section says so instead of failing the page.
      expect(await page.textContent('#bulk')).toMatch(/Bulk status unavailable/);
      // The Sync Errors tab: Intercom-to-Salesforce errors by default, the message shown as text, not markup.
      await page.click('nav.tabs >> text=Sync errors');
      await page.waitForURL(`${base}/ws/${WS}/errors`);
      const rows = page.locator('#errors tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().locator('.message').innerText()).toMatch(/^Title <b>CEO<\/b> is not allowed/);
      expect(await page.locator('#errors tbody b').count()).toBe(0);
      await page.click('text=Show both directions');
      await page.waitForURL(/\?all=1$/);
      expect(await rows.count()).toBe(2);
      expect(await page.textContent('[data-testid=errors-total]')).toBe('2');

      await purgeWork(sys.admin, 'peoplesync.work.*.match.>');
      const row = page.locator('#errors tbody tr', { hasText: 'contact is gone' });
      const id = await row.getAttribute('data-error-id');
      await row.locator('button.retry').click();
      await expect.poll(() => row.locator('.retry-status').textContent(), { timeout: 10_000 }).toBe('Retry queued');
      expect(await row.locator('button.retry').isDisabled()).toBe(true);
      const items = await workItems(sys.nc, `peoplesync.work.${WS}.match.>`);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        subject: `peoplesync.work.${WS}.match.retry`,
        body: { sfId: SF_LEAD, errorIds: [id], requestedBy: ADMIN.name },
      });
    } finally {
      await page.close();
    }
  });

  it('says so when the retry is refused', async () => {
    const page = await signedInPage();
    try {
      await page.goto(`${base}/ws/${WS}/errors?all=1`);
      const row = page.locator('#errors tbody tr').first();
      const id = await row.getAttribute('data-error-id');
      // The error is resolved by someone else meanwhile: the API answers 404 and the page shows why.
      await m.publish(
        SyncErrorResolved,
        WS,
        { errorIds: [id as string], sfId: null, icId: null, direction: null, at: Date.now() + 60_000 },
        { cls: 'retry' },
      );
      await waitFor(async () => (await api(`/api/${WS}/errors/${id}`)).status === 404, { what: 'the error resolved' });
      await row.locator('button.retry').click();
      await expect.poll(() => row.locator('.retry-status').textContent(), { timeout: 10_000 }).toMatch(/^Retry failed: no sync error/);
      expect(await row.locator('button.retry').isDisabled()).toBe(false);
    } finally {
      await page.close();
    }
  });

  it('shows the current bulk run and its progress once a coordinator runs', async () => {
    await sys.startWorker(['coordinator', 'polling', 'matching', 'mapping', 'writer']);
    const started = await waitFor(
      async () => {
        const res = await api(`/api/${WS}/bulk/start`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"startedBy":"page-test"}',
        });
        return res.status === 200 ? ((await res.json()) as { run: { runId: string } }).run : null;
      },
      { what: 'the bulk run started' },
    );
    // The workspace is past 80% of its budget (first test): the run cannot get bulk tokens and pauses.
    const run = await waitFor(
      async () => {
        const r = ((await (await api(`/api/${WS}/bulk`)).json()) as { run: { status: string; percent: number; reason: string | null } })
          .run;
        return r.status === 'paused' ? r : null;
      },
      { what: 'the run paused', timeoutMs: 20_000 },
    );
    const page = await signedInPage();
    try {
      await page.goto(`${base}/ws/${WS}`);
      expect(await page.getAttribute('#bulk', 'data-status')).toBe('paused');
      expect(await page.textContent('[data-testid=bulk-status]')).toMatch(new RegExp(`^Run ${started.runId}: paused`));
      expect(await page.textContent('[data-testid=bulk-percent]')).toBe(`${Math.floor(run.percent)}%`);
      expect(await page.getAttribute('#bulk progress', 'value')).toBe(String(Math.floor(run.percent)));
      // Who started it is the signed-in operator, whatever the body said.
      expect(await page.textContent('#bulk')).toMatch(new RegExp(`by ${ADMIN.name}`));
    } finally {
      await page.close();
    }
  });
});
