// A real browser for the console's tests: Debian's chromium driven by playwright-core, signing in
// through the login form, and screenshots kept as artefacts in a folder the test prints.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A folder under the OS temp dir for this file's screenshots, printed so it can be found. */
export function screenshotDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `peoplesync-${name}-`));
  console.log(`screenshots of ${name}: ${dir}`);
  return dir;
}

export async function shoot(page: Page, dir: string, name: string): Promise<void> {
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** Signs in through the login form of `page` (wherever it is) and waits to land on `to`. */
export async function signInAs(page: Page, base: string, who: { name: string; password: string }, to = `${base}/`): Promise<void> {
  if (!page.url().includes('/login')) await page.goto(`${base}/login`);
  await page.fill('input[name=name]', who.name);
  await page.fill('input[name=password]', who.password);
  await Promise.all([page.waitForURL(to), page.click('form[action="/login"] button[type=submit]')]);
}
