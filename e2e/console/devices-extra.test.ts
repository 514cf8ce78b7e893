/**
 * The devices table and the device page beyond the basics, in a real browser against a real
 * server and the real agent on this machine (the same stack as console.test.ts): the device's
 * action history after a real action run, its installed software read live from the machine, the
 * devices table filtered by compliance with the matching count, and software.deploy's form picking
 * a package of the software library.
 */

/** Whether dpkg-deb is here to build the package the library test uploads. */
function hasDpkgDeb(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v dpkg-deb'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { buildDeb, sha256File } from '../../packages/agent/src/actions/linux/test-support/deb-repo.js';
import { failureShot, launchBrowser, login, newPage } from './browser.js';
import { type ConsoleStack, startConsoleStack } from './console-stack.js';

describe('web console: devices and the device page', { timeout: 180_000 }, () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cspViolations: string[];

  beforeAll(async () => {
    stack = await startConsoleStack();
    browser = await launchBrowser();
    ({ context, page, cspViolations } = await newPage(browser));
    await login(page, stack.server.url, stack.admin.email, stack.admin.password);
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });
  const keepScreenshotOnFailure = (name: string) =>
    onTestFailed(async () => {
      await failureShot(page, `devices-extra-${name}`);
    });

  it("shows the device's action history with its own outcome of each run", async () => {
    keepScreenshotOnFailure('action-history');
    // A real run on the local agent: a dry run of process.kill aimed at a process that does not exist.
    const created = await stack.api.call('POST', '/api/v1/actions', {
      action: 'process.kill',
      params: { name: 'vigil-devices-extra-no-such-process' },
      targets: { devices: [stack.agentId] },
      dry_run: true,
      reason: 'devices-extra e2e',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    let device: { status: string; result: { summary?: string } | null } | undefined;
    await expect
      .poll(
        async () => {
          device = (await stack.api.call('GET', `/api/v1/actions/${created.body.id}`)).body.devices?.[0];
          return device?.status;
        },
        { timeout: 60_000, interval: 500 },
      )
      .toMatch(/^(succeeded|failed)$/);

    await page.goto(`${stack.server.url}/devices/${stack.agentId}`);
    const history = page.getByRole('region', { name: 'Action history' });
    const row = history.getByRole('row', { name: /process\.kill \(dry run\)/ });
    await row.waitFor({ timeout: 20_000 });
    expect(await row.getByText(device!.status, { exact: true }).count()).toBe(1);
    if (device!.result?.summary) expect(await row.getByText(device!.result.summary).count()).toBe(1);
    expect(await row.textContent()).toContain(stack.admin.email);
    const link = await row.getByRole('link', { name: /process\.kill/ }).getAttribute('href');
    expect(link).toBe(`/actions?run=${created.body.id}`);
    // The panel shows what the API holds for this device, newest first.
    const api = await stack.api.call('GET', `/api/v1/devices/${stack.agentId}/actions`);
    expect(api.body.items[0]).toMatchObject({
      run_id: created.body.id,
      status: device!.status,
      dry_run: true,
    });
    expect(await history.getByRole('row').count()).toBe(api.body.items.length + 1);
  });

  it('lists the packages installed on the machine, searchable, rendering only the rows in view', async () => {
    keepScreenshotOnFailure('software');
    await page.goto(`${stack.server.url}/devices/${stack.agentId}`);
    const panel = page.getByRole('region', { name: 'Installed software' });
    await panel.getByRole('button', { name: 'Load installed software' }).click();
    const count = panel.getByTestId('software-count');
    await count.waitFor({ timeout: 60_000 });
    const total = Number((await count.textContent())?.split(' ')[0]);
    expect(total).toBeGreaterThan(0);
    const table = panel.getByRole('table', { name: 'Installed packages' });
    expect(await table.getAttribute('aria-rowcount')).toBe(String(total + 1));
    expect(await table.getByRole('columnheader').allTextContents()).toEqual([
      'Package',
      'Version',
      'Architecture',
    ]);
    // The first package as the machine itself reports it (the agent runs here, on this machine).
    const firstName = (await table.getByRole('row').nth(1).getByRole('cell').first().textContent()) ?? '';
    expect(firstName).not.toBe('');
    const rendered = await table.locator('tbody tr:not(.spacer)').count();
    if (total > 100) expect(rendered).toBeLessThan(total);
    else expect(rendered).toBe(total);
    // Scrolled to the end, the last package is rendered and the first one no longer is.
    await panel.locator('.virtual-scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await table.locator(`tr[aria-rowindex="${total + 1}"]`).waitFor({ timeout: 10_000 });
    if (total > 100) expect(await table.locator('tr[aria-rowindex="2"]').count()).toBe(0);
    await panel.locator('.virtual-scroll').evaluate((el) => {
      el.scrollTop = 0;
    });
    await table.locator('tr[aria-rowindex="2"]').waitFor({ timeout: 10_000 });
    await panel.getByLabel('Search packages').fill(firstName);
    await expect
      .poll(async () => (await count.textContent()) ?? '')
      .toMatch(new RegExp(`^\\d+ of ${total} packages$`));
    expect(await table.getByRole('cell', { name: firstName, exact: true }).count()).toBe(1);
  });

  it('filters the devices table by compliance and shows how many devices match', async () => {
    keepScreenshotOnFailure('compliance-filter');
    // The stack scanned at start; on a busy machine the results can take a minute.
    let score: number | null = null;
    await expect
      .poll(
        async () => {
          score = (await stack.api.call('GET', `/api/v1/devices/${stack.agentId}`)).body.compliance;
          return score;
        },
        { timeout: 90_000, interval: 1000 },
      )
      .not.toBeNull();
    const s = score as unknown as number;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    const form = page.getByRole('form', { name: 'Filter devices' });
    const countText = page.getByTestId('device-match-count');
    const row = page.getByRole('row', { name: new RegExp(stack.hostname) });
    await expect.poll(() => countText.textContent(), { timeout: 20_000 }).toBe('1 device matches');

    // Strictly below the device's own score: it does not match.
    await form.getByLabel('Compliance below (%)').fill(String(s));
    await form.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => countText.textContent(), { timeout: 20_000 }).toBe('0 devices match');
    await page.getByText('No device matches.').waitFor();
    expect(page.url()).toContain(`compliance=${s}`);

    if (s < 100) {
      // Above it: the device is listed with its score, and the count says so.
      await form.getByLabel('Compliance below (%)').fill('100');
      await form.getByRole('button', { name: 'Apply filters' }).click();
      await expect.poll(() => countText.textContent(), { timeout: 20_000 }).toBe('1 device matches');
      await row.waitFor();
      expect(await row.getByRole('cell').nth(6).textContent()).toMatch(new RegExp(`^${s} %`));
    }
    const api = await stack.api.call('GET', `/api/v1/devices/count?compliance_below=${s}`);
    expect(api.body).toEqual({ count: 0 });
  });

  it('runs an action on the devices selected in the table: the action form opens with them as targets', async () => {
    keepScreenshotOnFailure('bulk-action');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('checkbox', { name: `Select ${stack.hostname}` }).check();
    await page
      .getByRole('region', { name: 'Selected devices' })
      .getByRole('link', { name: 'Run an action on these devices' })
      .click();
    expect(new URL(page.url()).searchParams.get('devices')).toBe(stack.agentId);
    await page.getByRole('link', { name: 'process.kill', exact: true }).click();
    const form = page.getByRole('form', { name: 'Run process.kill' });
    // The picker starts on the selection, named by hostname once loaded.
    expect(await form.getByRole('radio', { name: 'Devices', exact: true }).isChecked()).toBe(true);
    await form.getByRole('button', { name: `Remove ${stack.hostname}` }).waitFor();
    await form.getByLabel(/^name/).fill('vigil-bulk-e2e-no-such-process');
    await form.getByRole('button', { name: /dry run/i }).click();
    await expect
      .poll(async () => {
        const runs = await stack.api.call('GET', '/api/v1/actions?limit=5');
        return (runs.body.items as Array<{ params: { name?: string }; targets: unknown }>).find(
          (r) => r.params.name === 'vigil-bulk-e2e-no-such-process',
        )?.targets;
      })
      .toEqual({ devices: [stack.agentId] });
  });

  it.skipIf(!hasDpkgDeb())(
    "offers the software library's packages in software.deploy's form and requests the picked one",
    async () => {
      keepScreenshotOnFailure('deploy-picker');
      // A real .deb, uploaded the way `vigil software upload` does (raw body, bearer token).
      const deb = buildDeb(mkdtempSync(join(tmpdir(), 'vigil-picker-')), {
        name: 'vigil-picker-e2e',
        version: '1.0',
      });
      const token = await stack.api.call('POST', '/api/v1/api-tokens', { name: 'picker-e2e', role: 'admin' });
      expect(token.status, JSON.stringify(token.body)).toBe(201);
      const up = await request(`${stack.server.url}/api/v1/software?filename=vigil-picker-e2e.deb`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token.body.secret}`,
          'content-type': 'application/vnd.debian.binary-package',
        },
        body: readFileSync(deb),
        dispatcher: stack.dispatcher,
      });
      const uploaded = (await up.body.json()) as { id: string; sha256: string; filename: string };
      expect(up.statusCode, JSON.stringify(uploaded)).toBe(201);
      expect(uploaded.sha256).toBe(sha256File(deb));

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Actions' }).click();
      await page
        .getByRole('region', { name: 'Catalogue' })
        .getByRole('link', { name: 'software.deploy' })
        .click();
      const form = page.getByRole('region', { name: 'Run software.deploy' });
      const picker = form.getByRole('combobox', { name: /Library package/ });
      await picker
        .locator('option', { hasText: 'vigil-picker-e2e 1.0 (all, .deb,' })
        .waitFor({ state: 'attached' });
      // The library is the default source: no raw URL, SHA-256 or file name fields to type.
      expect(await form.getByRole('textbox', { name: /^url/ }).count()).toBe(0);
      await form.getByRole('radio', { name: /From a URL/ }).check();
      expect(await form.getByRole('textbox', { name: /^url/ }).count()).toBe(1);
      await form.getByRole('radio', { name: /From the software library/ }).check();
      await picker.selectOption(uploaded.id);
      await form.getByRole('radio', { name: 'Devices', exact: true }).check();
      await form.getByLabel('Find a device by hostname').fill(stack.hostname);
      await form.getByRole('button', { name: `Add ${stack.hostname}` }).click();
      await form.getByLabel(/^Reason/).fill('devices-extra e2e: picker');
      await form.getByRole('button', { name: 'Request run' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('run'), { timeout: 20_000 }).toBeTruthy();
      const runId = new URL(page.url()).searchParams.get('run');
      const run = (await stack.api.call('GET', `/api/v1/actions/${runId}`)).body;
      // The server filled in the library's download path, SHA-256 and file name from the package id.
      expect(run).toMatchObject({
        action: 'software.deploy',
        status: 'pending_approval',
        params: {
          url: `/agent/v1/software/${uploaded.sha256}`,
          sha256: uploaded.sha256,
          filename: uploaded.filename,
        },
      });
      // Nothing is installed on this machine: the request is withdrawn before anyone approves it.
      const cancelled = await stack.api.call('POST', `/api/v1/actions/${runId}/cancel`, {});
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    },
  );

  it('ran every page without a Content-Security-Policy violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
