/**
 * The web console in a real browser (Debian's chromium via playwright-core) against a real
 * server process and a real agent on this machine, over loopback: log in, see the agent online,
 * open its page, run a live query and watch rows stream in, create an enrollment token, check
 * that a viewer gets no action buttons, and that the console works under its strict CSP.
 * It also writes the README's screenshots to docs/screenshots.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { enrollAgent } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/server-process.js';
import { docShot, failureShot, launchBrowser, login, newPage } from './browser.js';
import { type ConsoleStack, startConsoleStack } from './console-stack.js';

describe('web console', { timeout: 120_000 }, () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cspViolations: string[];
  let hasMetricsApi = false;

  beforeAll(async () => {
    stack = await startConsoleStack();
    browser = await launchBrowser();
    ({ context, page, cspViolations } = await newPage(browser));
    const openapi = await stack.api.call('GET', '/api/v1/openapi.json');
    hasMetricsApi = Object.keys(openapi.body.paths ?? {}).includes('/api/v1/devices/{id}/metrics/stream');
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

  it('serves the console with a strict Content-Security-Policy and no inline script or style', async () => {
    keepScreenshotOnFailure('csp-header');
    for (const path of ['/', '/devices/some-id']) {
      const res = await stack.api.call('GET', path);
      expect(res.status).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const html = String(res.body);
      expect(html).toMatch(/<script type="module"[^>]* src="\/assets\/index-[^"]+\.js"/);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|style="/);
    }
    const api = await stack.api.call('GET', '/api/v1/me');
    expect(api.headers['content-security-policy']).toBeUndefined();
  });

  it('logs in and shows the local agent online on the overview and the devices page', async () => {
    keepScreenshotOnFailure('login-and-devices');
    await page.goto(stack.server.url);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await docShot(page, 'login');
    await login(page, stack.server.url, stack.admin.email, stack.admin.password);
    expect(await page.getByTestId('role').textContent()).toBe('admin');
    await expect.poll(() => page.getByTestId('count-online').textContent(), { timeout: 15_000 }).toBe('1');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    const row = page.getByRole('row', { name: new RegExp(stack.hostname) });
    await row.waitFor();
    expect(await row.getByText('online', { exact: true }).count()).toBe(1);
  });

  it('opens the device page with its facts, checks and live metrics', async () => {
    keepScreenshotOnFailure('device-page');
    await page.getByRole('link', { name: stack.hostname }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(stack.hostname) }).waitFor();
    expect(page.url()).toContain(`/devices/${stack.agentId}`);
    await page.getByRole('heading', { name: 'Facts' }).waitFor();
    expect(await page.getByText(/\(live mode\)/).count()).toBe(1);
    await page.getByRole('heading', { name: 'Checks and evidence' }).waitFor();
    const metrics = page.getByRole('region', { name: 'Live metrics' });
    if (hasMetricsApi) {
      const chart = metrics.getByTestId('metrics-chart');
      await chart.waitFor();
      const points = async () => Number(await chart.getAttribute('data-points'));
      await expect.poll(points, { timeout: 20_000 }).toBeGreaterThan(0);
      const before = await points();
      // One sample a second while the page watches: a few seconds later there are more points.
      await expect.poll(points, { timeout: 15_000 }).toBeGreaterThan(before);
    } else {
      await metrics.getByText('Host metrics: not available yet.').waitFor();
    }
    // One click shows the installed software through a live query on this device.
    const quick = page.getByRole('region', { name: 'Live query' });
    await quick.getByRole('button', { name: 'Installed software' }).click();
    await quick.getByTestId('campaign-done').waitFor({ timeout: 45_000 });
    expect(Number((await quick.getByTestId('row-count').textContent())?.split(' ')[0])).toBeGreaterThan(0);
    expect(await quick.getByRole('columnheader').allTextContents()).toEqual(
      expect.arrayContaining(['hostname', 'name', 'version', 'arch']),
    );
  });

  it('runs a live query with table completion and shows the rows streaming in per device', async () => {
    keepScreenshotOnFailure('live-query');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Live query' }).click();
    const sql = page.getByRole('combobox', { name: 'SQL' });
    await sql.fill('');
    await sql.pressSequentially('SELECT pid, name FROM processe');
    const listbox = page.getByRole('listbox', { name: 'Suggestions' });
    await listbox
      .getByRole('option', { name: /processes/ })
      .first()
      .waitFor();
    await sql.press('Tab');
    expect(await sql.inputValue()).toBe('SELECT pid, name FROM processes');
    await sql.pressSequentially(' ORDER BY pid LIMIT 5');
    await page.getByRole('button', { name: 'Run query' }).click();
    const campaign = page.getByTestId('campaign');
    await campaign.getByTestId('campaign-done').waitFor({ timeout: 45_000 });
    expect(await page.getByTestId('row-count').textContent()).toBe('5 rows');
    const status = page.getByRole('table', { name: 'Per-device status' });
    expect(await status.getByRole('row', { name: new RegExp(`${stack.hostname}.*done`) }).count()).toBe(1);
    const results = page.getByRole('table', { name: 'Query results' });
    expect(await results.getByRole('row').count()).toBe(6);
    expect(await results.getByRole('columnheader').allTextContents()).toEqual(['hostname', 'pid', 'name']);
    const csv = await campaign.getByRole('link', { name: 'CSV' }).getAttribute('href');
    const exported = await stack.api.call('GET', csv as string);
    expect(String(exported.body).trim().split('\n')).toHaveLength(6);
    await docShot(page, 'live-query');
  });

  it('creates an enrollment token and shows its install line', async () => {
    keepScreenshotOnFailure('enrollment');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Enrollment' }).click();
    await page.getByLabel('Tags (comma-separated)').fill('lab, e2e');
    await page.getByRole('button', { name: 'Create token' }).click();
    const line = page.getByTestId('install-line');
    await line.waitFor();
    const text = (await line.textContent()) ?? '';
    expect(text).toMatch(
      new RegExp(
        `^vigil agent enroll --server ${stack.server.url} --token \\S+ --ca-fingerprint ${stack.server.caFingerprint}$`,
      ),
    );
    const tokens = await stack.api.call('GET', '/api/v1/enrollment-tokens');
    expect(tokens.body.items.some((t: { tags: string[] }) => t.tags.join(',') === 'lab,e2e')).toBe(true);
    // Running the install line's enrollment on another machine makes it appear here within seconds.
    const token = /--token (\S+)/.exec(text)?.[1] as string;
    const env = {
      VIGIL_AGENT_HOSTNAME: 'console-e2e-new',
      VIGIL_AGENT_MACHINE_ID: 'console-e2e-new-machine',
    };
    const enrolled = await enrollAgent(stack.server.url, token, stack.server.caFingerprint, tempDir(), env);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    await page
      .getByRole('region', { name: 'Recently enrolled' })
      .getByRole('listitem')
      .filter({ hasText: 'console-e2e-new' })
      .getByText('new', { exact: true })
      .waitFor({ timeout: 15_000 });
    await page
      .getByRole('region', { name: 'Recently enrolled' })
      .getByRole('link', { name: stack.hostname })
      .waitFor();
    await docShot(page, 'enrollment');
  });

  it('shows the other pages with real data', async () => {
    keepScreenshotOnFailure('other-pages');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Groups' }).click();
    await page.getByLabel('Name').fill('local-linux');
    await page.getByLabel(/^Rule/).fill("os.platform = 'linux' AND tags CONTAINS 'local'");
    await expect
      .poll(() => page.getByTestId('preview-count').textContent(), { timeout: 10_000 })
      .toBe('Matches 1 device now.');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { name: 'Group local-linux' }).waitFor();
    await page
      .getByRole('region', { name: 'Group local-linux' })
      .getByRole('link', { name: stack.hostname })
      .waitFor();
    await docShot(page, 'groups');

    await nav.getByRole('link', { name: 'Checks' }).click();
    await page.getByRole('region', { name: 'Catalogue' }).getByRole('link').first().waitFor();
    await docShot(page, 'checks');

    await nav.getByRole('link', { name: 'Settings', exact: true }).click();
    const audit = page.getByRole('region', { name: 'Audit log' });
    await audit.getByLabel(/^Action/).fill('enrollment_token.%');
    // The unfiltered page already shows enrollment_token.create rows: wait for the filtered answer
    // itself, or the count below could read the table before the filter applied.
    const filtered = page.waitForResponse(
      (r) => r.url().includes('/api/v1/audit?') && r.url().includes('action=enrollment_token'),
    );
    await audit.getByRole('button', { name: 'Apply' }).click();
    await filtered;
    await audit.getByRole('cell', { name: 'enrollment_token.create' }).first().waitFor();
    await expect.poll(() => audit.getByRole('cell', { name: 'alert.raise' }).count()).toBe(0);
    await docShot(page, 'settings');
  });

  it("shows the compliance score and most-failed checks from the agent's scan", async () => {
    keepScreenshotOnFailure('compliance');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Overview' }).click();
    // The scan started with the stack; on a busy machine its results can take a minute.
    await expect
      .poll(() => page.getByTestId('compliance-score').textContent(), { timeout: 90_000, interval: 1000 })
      .toMatch(/^\d+(\.\d)? %$/);
    const now = await stack.api.call('GET', '/api/v1/checks/compliance');
    expect(now.body.score).not.toBeNull();
    const failing = now.body.most_failed as Array<{ check: string }>;
    if (failing.length > 0)
      await page
        .getByRole('region', { name: 'Most-failed checks' })
        .getByRole('link', { name: failing[0]!.check })
        .waitFor();

    await nav.getByRole('link', { name: 'Devices' }).click();
    const failingHere = await stack.api.call(
      'GET',
      `/api/v1/checks/results?device=${stack.agentId}&failing=true`,
    );
    const device = (await stack.api.call('GET', `/api/v1/devices/${stack.agentId}`)).body;
    const failingCount = failingHere.body.items.length;
    expect(device.failing_checks).toBe(failingCount);
    const row = page.getByRole('row', { name: new RegExp(stack.hostname) });
    await row.waitFor();
    // The "Compliance" column is the 7th cell (after the selection box): score and failing checks.
    await expect
      .poll(() => row.getByRole('cell').nth(6).textContent(), { timeout: 20_000 })
      .toBe(failingCount > 0 ? `${device.compliance} % (${failingCount} failing)` : `${device.compliance} %`);
    await docShot(page, 'devices');
    await page.getByRole('link', { name: stack.hostname }).click();
    await page.getByRole('heading', { name: 'Checks and evidence' }).waitFor();
    await page
      .getByRole('region', { name: 'Checks and evidence' })
      .getByRole('row')
      .nth(1)
      .waitFor({ timeout: 15_000 });
    await docShot(page, 'device');
  });

  it('counts open alerts on the overview and acknowledges one in the inbox', async () => {
    keepScreenshotOnFailure('alerts');
    // Each check that fails on this machine raised an alert when the scan's results arrived.
    let open: Array<{ id: string; title: string; severity: string }> = [];
    await expect
      .poll(
        async () => {
          open = (await stack.api.call('GET', '/api/v1/alerts?status=open&limit=100')).body.items;
          return open.length;
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    const first = open[0]!;
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Overview' }).click();
    const sameSeverity = open.filter((a) => a.severity === first.severity).length;
    await expect
      .poll(() => page.getByTestId(`alerts-${first.severity}`).textContent(), { timeout: 15_000 })
      .toBe(String(sameSeverity));
    await docShot(page, 'overview');

    await nav.getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('region', { name: 'Inbox' }).getByRole('link', { name: first.title }).click();
    const detail = page.getByRole('region', { name: first.title });
    await detail.getByRole('heading', { name: 'Context' }).waitFor();
    await detail.getByLabel('Note (optional)').fill('looking into it');
    await detail.getByRole('button', { name: 'Acknowledge' }).click();
    await detail.getByText('acknowledged', { exact: true }).waitFor();
    const after = await stack.api.call('GET', `/api/v1/alerts/${first.id}`);
    expect(after.body.status).toBe('acknowledged');
    expect(after.body.note).toBe('looking into it');
    await docShot(page, 'alerts');
  });

  it('runs a response action as a dry run from a form generated from its parameter schema', async () => {
    keepScreenshotOnFailure('actions');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Actions' }).click();
    await page.getByRole('region', { name: 'Catalogue' }).getByRole('link', { name: 'process.kill' }).click();
    const form = page.getByRole('region', { name: 'Run process.kill' });
    // Fields come from definitions/actions/process.kill.yaml: pid, name, exe, sha256, signal, max_processes.
    expect(await form.getByRole('spinbutton', { name: /^pid/ }).count()).toBe(1);
    expect(await form.getByRole('combobox', { name: /^signal/ }).count()).toBe(1);
    await form.getByRole('textbox', { name: /^name/ }).fill('vigil-console-e2e-no-such-process');
    // Aim at the local agent only (the device enrolled above never runs, so it would wait in the queue).
    await form.getByRole('radio', { name: 'Devices', exact: true }).check();
    await form.getByLabel('Find a device by hostname').fill(stack.hostname);
    await form.getByRole('button', { name: `Add ${stack.hostname}` }).click();
    await form.getByRole('button', { name: 'Dry run' }).click();
    const run = page.getByRole('region', { name: 'Run process.kill (dry run)' });
    await run
      .getByRole('row', { name: new RegExp(`${stack.hostname}.*(succeeded|failed)`) })
      .waitFor({ timeout: 60_000 });
    const runId = new URL(page.url()).searchParams.get('run');
    const detail = await stack.api.call('GET', `/api/v1/actions/${runId}`);
    expect(detail.body).toMatchObject({
      action: 'process.kill',
      dry_run: true,
      params: { name: 'vigil-console-e2e-no-such-process' },
    });
    expect(detail.body.devices).toHaveLength(1);
    expect(detail.body.devices[0].result).toMatchObject({ dry_run: true, changed: false });
    await page
      .getByRole('region', { name: 'Run history' })
      .getByRole('link', { name: 'process.kill (dry run)' })
      .waitFor();
    await docShot(page, 'actions');
  });

  it('shows a viewer no action buttons', async () => {
    keepScreenshotOnFailure('viewer');
    const viewer = await newPage(browser);
    try {
      await login(viewer.page, stack.server.url, stack.viewer.email, stack.viewer.password);
      expect(await viewer.page.getByTestId('role').textContent()).toBe('viewer');
      await viewer.page.goto(`${stack.server.url}/devices/${stack.agentId}`);
      await viewer.page.getByRole('heading', { name: 'Facts' }).waitFor();
      await viewer.page.getByText('Running live queries needs the analyst role.').waitFor();
      for (const name of ['Scan now', 'Revoke device', 'Run query', 'Installed software'])
        expect(await viewer.page.getByRole('button', { name }).count(), name).toBe(0);
      await viewer.page.goto(`${stack.server.url}/devices`);
      await viewer.page.getByRole('link', { name: stack.hostname }).waitFor();
      expect(await viewer.page.getByRole('checkbox').count()).toBe(0);
      await viewer.page.goto(`${stack.server.url}/queries`);
      await viewer.page.getByRole('combobox', { name: 'SQL' }).waitFor();
      expect(await viewer.page.getByRole('button', { name: 'Run query' }).count()).toBe(0);
      await viewer.page.goto(`${stack.server.url}/groups`);
      await viewer.page.getByRole('heading', { name: 'All groups' }).waitFor();
      expect(await viewer.page.getByRole('button', { name: 'Create group' }).count()).toBe(0);
      expect(viewer.cspViolations).toEqual([]);
    } finally {
      await viewer.context.close();
    }
  });

  it('logs out, and the session cookie no longer works', async () => {
    keepScreenshotOnFailure('logout');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(me).toBe(401);
  });

  it('ran every page without a Content-Security-Policy violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
