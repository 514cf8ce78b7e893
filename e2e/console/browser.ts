/**
 * Debian's chromium driven by playwright-core: one browser per suite, a context per user, and
 * screenshots (docs/screenshots for the README, test-results/console for failures).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where the documented screenshots go (committed). */
export const DOC_SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
/** Where failure screenshots go (gitignored). */
export const FAILURE_SHOTS = fileURLToPath(new URL('../../test-results/console/', import.meta.url));

/** Start headless chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}

/** A page in a fresh context, recording every Content-Security-Policy violation it reports. */
export async function newPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; cspViolations: string[] }> {
  // The server's TLS certificate is signed by its own CA, which this throwaway profile does not
  // trust; the test checks the CA fingerprint over the API instead.
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 860 },
  });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  return { context, page, cspViolations };
}

/** Log in through the login form and wait for the overview. */
export async function login(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}

/** Save a screenshot of the page for the README. */
export async function docShot(page: Page, name: string): Promise<void> {
  mkdirSync(DOC_SHOTS, { recursive: true });
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(DOC_SHOTS, `${name}.png`), fullPage: false });
}

/** Save a screenshot of a failing test's page. */
export async function failureShot(page: Page | undefined, testName: string): Promise<void> {
  if (!page || page.isClosed()) return;
  mkdirSync(FAILURE_SHOTS, { recursive: true });
  const file = join(FAILURE_SHOTS, `${testName.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 100)}.png`);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
}
