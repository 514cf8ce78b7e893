/**
 * The console updates live: with the Devices, Enrollment or a device's page open in a real
 * browser, a device enrolled (or an agent killed) on the server shows up within about two
 * seconds, without a reload. Polling while the stream is down waits 15 s, so only the console
 * event stream can make these pass. The tab keeps one stream across its pages.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { enrollAgent } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/server-process.js';
import { failureShot, launchBrowser, login, newPage } from './browser.js';
import { type ConsoleStack, startConsoleStack } from './console-stack.js';

/** How long a change may take to show: the stream's promise, with room for a busy machine. */
const LIVE_MS = 2_500;

describe('web console live updates', { timeout: 120_000 }, () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  const streamRequests: string[] = [];
  const reloads: string[] = [];

  beforeAll(async () => {
    stack = await startConsoleStack();
    browser = await launchBrowser();
    ({ context, page } = await newPage(browser));
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/events/stream')) streamRequests.push(r.url());
      if (r.isNavigationRequest()) reloads.push(r.url());
    });
    const created = await stack.api.call('POST', '/api/v1/enrollment-tokens', {});
    expect(created.status).toBe(201);
    token = created.body.token;
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });
  const keepScreenshotOnFailure = (name: string) =>
    onTestFailed(async () => {
      await failureShot(page, name);
    });

  /** Enroll a new device through the real CLI; resolves when the CLI has finished. */
  const enroll = async (hostname: string) => {
    const env = { VIGIL_AGENT_HOSTNAME: hostname, VIGIL_AGENT_MACHINE_ID: `${hostname}-machine` };
    const res = await enrollAgent(stack.server.url, token, stack.server.caFingerprint, tempDir(), env);
    expect(res.code, res.stderr).toBe(0);
  };

  it('shows a device enrolled while the Devices page is open, without a reload', async () => {
    keepScreenshotOnFailure('live-devices');
    await login(page, stack.server.url, stack.admin.email, stack.admin.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('row', { name: new RegExp(stack.hostname) }).waitFor();
    await expect.poll(() => streamRequests.length).toBe(1);
    const navigations = reloads.length;

    await enroll('live-e2e-devices');
    await page.getByRole('row', { name: /live-e2e-devices/ }).waitFor({ timeout: LIVE_MS });
    expect(reloads.length).toBe(navigations);
  });

  it('shows a device enrolled while the Enrollment page is open, on the same stream', async () => {
    keepScreenshotOnFailure('live-enrollment');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Enrollment' }).click();
    const recent = page.getByRole('region', { name: 'Recently enrolled' });
    await recent.getByRole('link', { name: 'live-e2e-devices' }).waitFor();
    const navigations = reloads.length;

    await enroll('live-e2e-enrollment');
    await recent
      .getByRole('listitem')
      .filter({ hasText: 'live-e2e-enrollment' })
      .getByText('new', { exact: true })
      .waitFor({ timeout: LIVE_MS });
    expect(reloads.length).toBe(navigations);
    // Moving between pages kept the tab's one stream.
    expect(streamRequests).toHaveLength(1);
  });

  it('falls back to slow polling while the stream is down (and is not live then)', async () => {
    const other = await newPage(browser);
    try {
      onTestFailed(async () => {
        await failureShot(other.page, 'live-fallback');
      });
      // The stream cannot connect in this tab: the same change must wait for the fallback poll.
      await other.page.route('**/api/v1/events/stream', (route) => route.abort());
      await login(other.page, stack.server.url, stack.admin.email, stack.admin.password);
      await other.page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Devices' })
        .click();
      await other.page.getByRole('row', { name: new RegExp(stack.hostname) }).waitFor();

      await enroll('live-e2e-fallback');
      const row = other.page.getByRole('row', { name: /live-e2e-fallback/ });
      await other.page.waitForTimeout(LIVE_MS);
      expect(await row.count()).toBe(0);
      await row.waitFor({ timeout: 20_000 });
    } finally {
      await other.context.close();
    }
  });

  it("shows a device's presence change on its page as it happens", async () => {
    keepScreenshotOnFailure('live-presence');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('link', { name: stack.hostname }).click();
    const heading = page.getByRole('heading', { level: 1, name: new RegExp(stack.hostname) });
    await heading.getByText('online', { exact: true }).waitFor();

    // Killed without a goodbye: the server marks it lost when the connection drops.
    await stack.agent.stop('SIGKILL');
    await heading.getByText('lost', { exact: true }).waitFor({ timeout: LIVE_MS });
  });
});
