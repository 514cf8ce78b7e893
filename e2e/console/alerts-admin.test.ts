/**
 * Alert administration in the console, in a real browser against a real server process and a
 * real agent on loopback: suppress an alert's rule on its device from the alert's detail, create
 * a webhook notification route to an HTTP receiver this test runs on 127.0.0.1, see its signed
 * test message arrive and edit it (the secret kept), create an automated response rule and
 * disable it, delete all three after a confirmation — each checked through the API afterwards —
 * and check that a viewer gets none of the controls.
 */
import { createHmac } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startHttpReceiver } from '../../packages/server/src/services/notifications/test-support/receivers.js';
import { docShot, failureShot, launchBrowser, login, newPage } from './browser.js';
import { type ConsoleStack, startConsoleStack } from './console-stack.js';

describe('console: alert administration', { timeout: 120_000 }, () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cspViolations: string[];
  let rx: Awaited<ReturnType<typeof startHttpReceiver>>;
  /** The alert suppressed in the first test. */
  let alert: { id: string; title: string; rule: string };
  const signingSecret = 'e2e-signing-secret-0123456789';

  beforeAll(async () => {
    stack = await startConsoleStack();
    rx = await startHttpReceiver();
    browser = await launchBrowser();
    ({ context, page, cspViolations } = await newPage(browser));
    await login(page, stack.server.url, stack.admin.email, stack.admin.password);
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await rx?.close();
    await stack?.stop();
  });
  const keepScreenshotOnFailure = (name: string) =>
    onTestFailed(async () => {
      await failureShot(page, name);
    });
  const settings = async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Alert settings' })
      .click();
    await page.getByRole('heading', { name: 'Alert settings', level: 1 }).waitFor();
  };

  it("suppresses an alert's rule on its device from the alert's detail", async () => {
    keepScreenshotOnFailure('alerts-admin-suppress');
    // Each check that fails on this machine raised an alert when the stack's scan came back.
    let open: Array<{ id: string; title: string; rule: string; device: { id: string } | null }> = [];
    await expect
      .poll(
        async () => {
          open = (await stack.api.call('GET', '/api/v1/alerts?status=open&limit=100')).body.items;
          return open.filter((a) => a.device?.id === stack.agentId).length;
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    alert = open.find((a) => a.device?.id === stack.agentId)!;

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await page
      .getByRole('region', { name: 'Inbox' })
      .getByRole('link', { name: alert.title })
      .first()
      .click();
    const detail = page.getByRole('region', { name: alert.title });
    await detail.getByRole('heading', { name: 'Context' }).waitFor();
    if (!page.url().includes(alert.id)) {
      // Another alert had the same title: open ours by its id.
      await page.goto(`${stack.server.url}/alerts?alert=${alert.id}`);
      await detail.getByRole('heading', { name: 'Context' }).waitFor();
    }
    await detail.getByRole('button', { name: 'Suppress…' }).click();
    const form = detail.getByRole('form', { name: 'Suppress alerts like this one' });
    expect(await form.getByLabel('Rule or pattern').inputValue()).toBe(alert.rule);
    expect(
      await form.getByRole('radio', { name: new RegExp(`^This device \\(${stack.hostname}\\)`) }).isChecked(),
    ).toBe(true);
    await form.getByRole('combobox', { name: /^For/ }).selectOption({ label: '7 days' });
    await form.getByLabel('Reason (optional)').fill('e2e: known on this lab host');
    await form.getByRole('button', { name: 'Suppress', exact: true }).click();
    await detail.getByTestId('suppressed').waitFor();

    const list = await stack.api.call('GET', '/api/v1/alerts/suppressions');
    const created = list.body.items.filter((s: { rule: string }) => s.rule === alert.rule);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      device_id: stack.agentId,
      group: null,
      reason: 'e2e: known on this lab host',
      active: true,
      created_by: stack.admin.email,
    });
    const days = (Date.parse(created[0].expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.01);

    await settings();
    const panel = page.getByRole('region', { name: 'Suppressions' });
    const row = panel.getByRole('row', { name: /e2e: known on this lab host/ });
    await row.waitFor();
    expect(await row.getByRole('cell', { name: alert.rule, exact: true }).count()).toBe(1);
    await row.getByRole('link', { name: stack.hostname }).waitFor();
  });

  it('creates a webhook route to a receiver on 127.0.0.1 and its signed test message arrives', async () => {
    keepScreenshotOnFailure('alerts-admin-route');
    await settings();
    const panel = page.getByRole('region', { name: 'Notification routes' });
    await panel.getByRole('button', { name: 'New route' }).click();
    const form = panel.getByRole('form', { name: 'New notification route' });
    await form.getByLabel('Name', { exact: true }).fill('e2e-hook');
    expect(await form.getByRole('combobox', { name: /^Kind/ }).inputValue()).toBe('webhook');
    await form.getByLabel('URL').fill(rx.url);
    await form.getByLabel(/^Signing secret/).fill(signingSecret);
    await form.getByRole('combobox', { name: /^Minimum severity/ }).selectOption('high');
    await form.getByRole('button', { name: 'Create route' }).click();
    const row = panel.getByRole('row', { name: /e2e-hook/ });
    await row.waitFor();
    await expect.poll(() => form.count()).toBe(0);

    const before = rx.requests.length;
    await row.getByRole('button', { name: 'Send test through e2e-hook' }).click();
    await panel.getByTestId('test-result-e2e-hook').waitFor({ timeout: 20_000 });
    expect(rx.requests.length).toBe(before + 1);
    const got = rx.requests.at(-1)!;
    expect(got.headers['x-vigil-event']).toBe('test');
    expect(got.headers['x-vigil-signature-256']).toBe(
      `sha256=${createHmac('sha256', signingSecret).update(got.body).digest('hex')}`,
    );
    expect(JSON.parse(got.body)).toMatchObject({ type: 'test', route: { name: 'e2e-hook' } });

    // The secret was only ever written: neither the API nor the page shows it.
    const routes = await stack.api.call('GET', '/api/v1/notifications/routes');
    const route = routes.body.items.find((r: { name: string }) => r.name === 'e2e-hook');
    expect(route).toMatchObject({
      channel: 'webhook',
      min_severity: 'high',
      has_secret: true,
      enabled: true,
    });
    expect(JSON.stringify(routes.body)).not.toContain(signingSecret);
    expect(await page.content()).not.toContain(signingSecret);
    expect(await page.content()).not.toContain('secret-token-part');

    // The test delivery is listed with the route's deliveries.
    await row.getByRole('button', { name: 'Deliveries of e2e-hook' }).click();
    const deliveries = panel.getByRole('region', { name: 'Deliveries of e2e-hook' });
    await deliveries.getByText('No dead letters.').waitFor();
    await deliveries
      .getByRole('combobox', { name: /^Show deliveries of e2e-hook/ })
      .selectOption({ label: 'all recent' });
    await deliveries.getByRole('row', { name: /test.*sent/ }).waitFor();
    const sent = await stack.api.call('GET', `/api/v1/notifications/deliveries?route=${route.id}`);
    expect(sent.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'test', status: 'sent' })]),
    );

    // Edit: new match and rate limit; the URL and the secret stay as they were.
    await row.getByRole('button', { name: 'Edit e2e-hook' }).click();
    const edit = panel.getByRole('form', { name: 'Edit route e2e-hook' });
    expect(await edit.getByLabel(/^URL/).inputValue()).toBe('');
    await edit.getByRole('combobox', { name: /^Minimum severity/ }).selectOption('critical');
    await edit.getByRole('radio', { name: /^At most a number of messages per window/ }).check();
    await edit.getByRole('spinbutton', { name: 'Messages' }).fill('3');
    await edit.getByRole('button', { name: 'Save route' }).click();
    await expect.poll(() => edit.count()).toBe(0);
    const edited = await stack.api.call('GET', `/api/v1/notifications/routes/${route.id}`);
    expect(edited.body).toMatchObject({
      min_severity: 'critical',
      rate_limit: { count: 3, window_s: 60 },
      digest_window_s: null,
      has_secret: true,
      target: route.target,
    });
    await row.getByRole('button', { name: 'Send test through e2e-hook' }).click();
    await expect.poll(() => rx.requests.length, { timeout: 20_000 }).toBe(before + 2);
    const again = rx.requests.at(-1)!;
    expect(again.headers['x-vigil-signature-256']).toBe(
      `sha256=${createHmac('sha256', signingSecret).update(again.body).digest('hex')}`,
    );
  });

  it('creates an automated response rule and disables it', async () => {
    keepScreenshotOnFailure('alerts-admin-response');
    await settings();
    const panel = page.getByRole('region', { name: 'Automated responses' });
    await panel.getByRole('button', { name: 'New response' }).click();
    const form = panel.getByRole('form', { name: 'New automated response' });
    await form.getByLabel('Name', { exact: true }).fill('e2e-block-brute-force');
    await form.getByLabel(/^Detection rule/).fill('Linux.Auth.SshBruteForce');
    await form.getByLabel(/^and the event field/).fill('user');
    await form.getByRole('combobox', { name: /^Condition/ }).selectOption({ label: 'does not equal' });
    await form.getByLabel('Value', { exact: true }).fill('backup');
    await form.getByRole('combobox', { name: /^Action/ }).selectOption('network.block_ip');
    await form.getByLabel(/^address/).fill('{{source_ip}}');
    await form.getByLabel(/^expires_s/).fill('3600');
    expect(await form.getByLabel(/^Dry run/).isChecked()).toBe(true);
    await form.getByLabel('Executions allowed per hour').fill('5');
    await form.getByRole('button', { name: 'Create response' }).click();
    const row = panel.getByRole('row', { name: /e2e-block-brute-force/ });
    await row.waitFor();
    expect(await row.getByText('enabled', { exact: true }).count()).toBe(1);

    const created = await stack.api.call('GET', '/api/v1/responses/e2e-block-brute-force');
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      rule: 'Linux.Auth.SshBruteForce',
      when: [{ field: 'user', not_equals: 'backup' }],
      actions: [{ action: 'network.block_ip', params: { address: '{{source_ip}}', expires_s: 3600 } }],
      dry_run: true,
      max_per_hour: 5,
      group: null,
      enabled: true,
    });

    await row.getByRole('button', { name: 'Disable e2e-block-brute-force' }).click();
    await row.getByText('disabled', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Enable e2e-block-brute-force' }).waitFor();
    const after = await stack.api.call('GET', '/api/v1/responses/e2e-block-brute-force');
    expect(after.body.enabled).toBe(false);
    const audit = await stack.api.call('GET', '/api/v1/audit?action=response_rule.update');
    expect(audit.body.items[0]).toMatchObject({
      target: `response_rule:${created.body.id}`,
      detail: { enabled: false },
    });
    // The page now holds a suppression, a route and a response rule: the README's screenshot.
    await page.evaluate('window.scrollTo(0, 0)');
    await docShot(page, 'alert-settings');
  });

  it('shows a viewer the settings without any control that changes them', async () => {
    keepScreenshotOnFailure('alerts-admin-viewer');
    const viewer = await newPage(browser);
    try {
      await login(viewer.page, stack.server.url, stack.viewer.email, stack.viewer.password);
      await viewer.page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Alert settings' })
        .click();
      await viewer.page
        .getByRole('region', { name: 'Notification routes' })
        .getByRole('row', { name: /e2e-hook/ })
        .waitFor();
      await viewer.page
        .getByRole('region', { name: 'Automated responses' })
        .getByRole('row', { name: /e2e-block-brute-force/ })
        .waitFor();
      await viewer.page
        .getByRole('region', { name: 'Suppressions' })
        .getByRole('row', { name: /e2e: known/ })
        .waitFor();
      for (const name of [
        'New route',
        'New response',
        /^Delete/,
        /^Send test/,
        /^Edit/,
        /^Disable/,
        /^Enable/,
      ])
        expect(await viewer.page.getByRole('button', { name }).count(), String(name)).toBe(0);
      // The dead letters are readable by everyone.
      expect(await viewer.page.getByRole('button', { name: 'Deliveries of e2e-hook' }).count()).toBe(1);
      await viewer.page.goto(`${stack.server.url}/alerts?status=&alert=${alert.id}`);
      await viewer.page
        .getByRole('region', { name: alert.title })
        .getByRole('heading', { name: 'Context' })
        .waitFor();
      expect(await viewer.page.getByRole('button', { name: 'Suppress…' }).count()).toBe(0);
      expect(viewer.cspViolations).toEqual([]);
    } finally {
      await viewer.context.close();
    }
    expect(cspViolations).toEqual([]);
  });

  it('deletes the suppression, the route and the response rule after a confirmation', async () => {
    keepScreenshotOnFailure('alerts-admin-delete');
    await page.reload();
    await page.getByRole('heading', { name: 'Alert settings', level: 1 }).waitFor();
    const confirmDelete = async (region: string, label: string) => {
      const panel = page.getByRole('region', { name: region });
      await panel.getByRole('button', { name: label }).click();
      await panel
        .getByRole('group', { name: `Confirm: ${label}` })
        .getByRole('button', { name: 'Yes, delete' })
        .click();
      await expect.poll(() => panel.getByRole('button', { name: label }).count()).toBe(0);
    };
    await confirmDelete('Suppressions', `Delete suppression of ${alert.rule}`);
    await confirmDelete('Notification routes', 'Delete route e2e-hook');
    await confirmDelete('Automated responses', 'Delete response e2e-block-brute-force');

    const suppressions = await stack.api.call('GET', '/api/v1/alerts/suppressions');
    expect(suppressions.body.items.filter((x: { rule: string }) => x.rule === alert.rule)).toEqual([]);
    expect((await stack.api.call('GET', '/api/v1/notifications/routes/e2e-hook')).status).toBe(404);
    expect((await stack.api.call('GET', '/api/v1/responses/e2e-block-brute-force')).status).toBe(404);
    expect(cspViolations).toEqual([]);
  });
});
