/**
 * `vigil alerts …` and `vigil notifications …` against a real server on loopback: routes added,
 * tested and removed, alerts listed, shown, acknowledged, resolved and suppressed, dead letters
 * listed, and bad input refused with stable codes.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpReceiver } from '../packages/server/src/services/notifications/test-support/receivers.js';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import { runCliInProcess } from './helpers/cli-in-process.js';

describe('vigil alerts and vigil notifications', () => {
  let s: TestServer;
  let env: Record<string, string>;
  let accountId: string;
  let rx: Awaited<ReturnType<typeof startHttpReceiver>>;
  const vigil = (args: string[], input = '') => runCliInProcess(args, env, input);

  beforeAll(async () => {
    s = await startTestServer('sqlite');
    rx = await startHttpReceiver();
    env = {
      VIGIL_SERVER: s.url,
      VIGIL_TOKEN: s.adminToken,
      VIGIL_CA_FINGERPRINT: s.vigil.services.keys.caFingerprint,
      VIGIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')),
    };
    accountId = (await s.vigil.services.repos.users.byEmail('admin@example.test'))!.account_id;
  });
  afterAll(async () => {
    await rx?.close();
    await s?.stop();
  });

  it('adds a webhook route, prints its secret once, tests it and lists it', async () => {
    const add = await vigil([
      'notifications',
      'routes',
      'add',
      'ops-hook',
      '--channel',
      'webhook',
      '--url',
      rx.url,
      '--min-severity',
      'high',
    ]);
    expect(add.code, add.stderr).toBe(0);
    const secret = /Signing secret \(shown once; verify X-Vigil-Signature-256 with it\): (vgw_\S+)/.exec(
      add.stdout,
    )?.[1];
    expect(secret).toBeDefined();
    const test = await vigil(['notifications', 'routes', 'test', 'ops-hook']);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^Delivered a test message through ops-hook in \d+ ms\.\n$/);
    const req = rx.requests.at(-1)!;
    expect(req.headers['x-vigil-signature-256']).toBe(
      `sha256=${createHmac('sha256', secret!).update(req.body).digest('hex')}`,
    );
    const list = await vigil(['notifications', 'routes', 'list']);
    expect(list.stdout).toMatch(/^NAME\s+CHANNEL/);
    expect(list.stdout).toContain('ops-hook');
    expect(list.stdout).toContain(`http://127.0.0.1:${rx.port}/…`);
    expect(list.stdout).not.toContain(secret!);
    expect(list.stdout).not.toContain('secret-token-part');
  });

  it('lists, shows, acknowledges and resolves alerts, and delivers them to the route', async () => {
    const { alert } = await s.vigil.services.alerts.raise({
      account_id: accountId,
      device_id: null,
      rule: 'cli.example',
      severity: 'critical',
      title: 'Something bad on the CLI host',
      context: { file: '/etc/passwd', diff: '+mallory:x:0:0::/root:/bin/sh' },
    });
    const list = await vigil(['alerts', 'list', '--rule', 'cli.*', '--status', 'open']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(alert.id);
    expect(list.stdout).toContain('Something bad on the CLI host');
    const json = JSON.parse((await vigil(['alerts', 'list', '--min-severity', 'critical', '--json'])).stdout);
    expect(json.items.map((a: { id: string }) => a.id)).toContain(alert.id);
    const show = await vigil(['alerts', 'show', alert.id]);
    expect(show.stdout).toMatch(/^Title:\s+Something bad on the CLI host$/m);
    expect(show.stdout).toContain('"diff": "+mallory:x:0:0::/root:/bin/sh"');
    const ack = await vigil(['alerts', 'ack', alert.id, '--note', 'on it']);
    expect(ack.stdout).toBe(`Acknowledged alert ${alert.id} (Something bad on the CLI host).\n`);
    const again = await vigil(['alerts', 'ack', alert.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^error E_ALERT_STATE: alert \S+ was already acknowledged by admin@example\.test/,
    );
    expect((await vigil(['alerts', 'resolve', alert.id])).code).toBe(0);
    const shown = JSON.parse((await vigil(['alerts', 'show', alert.id, '--json'])).stdout);
    expect(shown).toMatchObject({
      status: 'resolved',
      acknowledged_by: 'admin@example.test',
      resolved_by: 'admin@example.test',
    });
    // The route (high and worse) received it from the running worker.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !rx.requests.some((r) => r.body.includes(alert.id)))
      await new Promise((r) => setTimeout(r, 50));
    expect(rx.requests.some((r) => JSON.parse(r.body).alert?.id === alert.id)).toBe(true);
  });

  it('suppresses, lists and removes suppression rules', async () => {
    const sup = await vigil([
      'alerts',
      'suppress',
      'cli.noisy*',
      '--reason',
      'known noise',
      '--for',
      '2h',
      '--json',
    ]);
    expect(sup.code, sup.stderr).toBe(0);
    const rule = JSON.parse(sup.stdout);
    expect(rule).toMatchObject({ rule: 'cli.noisy*', reason: 'known noise', active: true });
    const { outcome } = await s.vigil.services.alerts.raise({
      account_id: accountId,
      device_id: null,
      rule: 'cli.noisy.thing',
      severity: 'high',
      title: 'Noise',
      context: {},
    });
    expect(outcome).toBe('suppressed');
    const listed = await vigil(['alerts', 'suppressions']);
    expect(listed.stdout).toContain('cli.noisy*');
    expect(listed.stdout).toContain('all devices');
    expect((await vigil(['alerts', 'list', '--status', 'suppressed'])).stdout).toContain('Noise');
    expect((await vigil(['alerts', 'unsuppress', rule.id])).stdout).toBe(
      `Deleted suppression rule ${rule.id}.\n`,
    );
    expect((await vigil(['alerts', 'suppressions'])).stdout).toBe('No suppression rules.\n');
  });

  it('lists dead letters and removes a route', async () => {
    const dead = await startHttpReceiver(() => 500);
    try {
      const add = await vigil([
        'notifications',
        'routes',
        'add',
        'dead-hook',
        '--channel',
        'slack',
        '--url',
        dead.url,
        '--max-attempts',
        '1',
        '--rule',
        'cli.dead',
      ]);
      expect(add.code, add.stderr).toBe(0);
      expect(add.stdout).not.toContain('Signing secret');
      await s.vigil.services.alerts.raise({
        account_id: accountId,
        device_id: null,
        rule: 'cli.dead',
        severity: 'high',
        title: 'Dead',
        context: {},
      });
      const deadline = Date.now() + 10_000;
      let out = '';
      while (Date.now() < deadline) {
        out = (await vigil(['notifications', 'deliveries', '--status', 'dead'])).stdout;
        if (out.includes('dead-hook')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).toMatch(/dead-hook\s+alert\s+dead\s+1\s+1/);
      expect(out).toContain(`http://127.0.0.1:${dead.port}/… answered HTTP 500`);
      const test = await vigil(['notifications', 'routes', 'test', 'dead-hook']);
      expect(test.code).toBe(1);
      expect(test.stderr).toMatch(/^error E_NOTIFICATION_FAILED: the test message was not delivered/);
      expect((await vigil(['notifications', 'routes', 'remove', 'dead-hook'])).stdout).toBe(
        'Removed route dead-hook.\n',
      );
    } finally {
      await dead.close();
    }
  });

  it('refuses bad input before calling the server, with stable codes', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['alerts', 'list', '--severity', 'urgent'], /^error E_VALIDATION: /],
      [['alerts', 'list', '--since', 'yesterday'], /^error E_VALIDATION: --since must be an ISO-8601 time/],
      [['alerts', 'show', '../etc/passwd'], /^error E_VALIDATION: alert id '\.\.\/etc\/passwd' is not valid/],
      [
        ['alerts', 'suppress', 'x', '--reason', 'r', '--for', 'soon'],
        /^error E_VALIDATION: --for must be a duration/,
      ],
      [['notifications', 'routes', 'add', 'x', '--channel', 'pager'], /^error E_VALIDATION: /],
      [
        [
          'notifications',
          'routes',
          'add',
          'x',
          '--channel',
          'webhook',
          '--url',
          'http://127.0.0.1:1/x',
          '--rate-limit',
          'lots',
        ],
        /^error E_VALIDATION: --rate-limit must look like 10\/1m/,
      ],
      [
        [
          'notifications',
          'routes',
          'add',
          'x',
          '--channel',
          'syslog',
          '--host',
          '127.0.0.1',
          '--port',
          '514',
        ],
        /^error E_NOTIFICATION_TARGET: a syslog route's target: .*transport/,
      ],
      [['notifications', 'deliveries', '--status', 'lost'], /^error E_VALIDATION: /],
    ];
    for (const [args, pattern] of cases) {
      const r = await vigil(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
    }
  });
});
