import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import {
  startHttpReceiver,
  startSmtpReceiver,
  startSyslogUdp,
  until,
} from '../../services/notifications/test-support/receivers.js';
import { storeEngines } from '../../store/test-stores.js';
import { startBareServer } from '../../test-support/bare-app.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();

describe.each(engines)('notification routes API on %s', (kind) => {
  let s: TestServer;
  let viewer: string;
  let analyst: string;

  beforeAll(async () => {
    s = await startTestServer(kind);
    viewer = await s.tokenFor('viewer');
    analyst = await s.tokenFor('analyst');
  });
  afterAll(async () => s?.stop());

  const create = (body: Record<string, unknown>, token = s.adminToken) =>
    s.call('POST', '/api/v1/notifications/routes', { token, body });

  it('creates a webhook route whose generated secret is shown once, stored sealed, and signs the test message', async () => {
    const rx = await startHttpReceiver();
    try {
      const res = await create({
        name: 'hook',
        channel: 'webhook',
        target: { url: rx.url },
        min_severity: 'high',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const secret = res.body.secret as string;
      expect(secret).toMatch(/^vgw_[A-Za-z0-9_-]{43}$/);
      expect(res.body).toMatchObject({
        name: 'hook',
        channel: 'webhook',
        min_severity: 'high',
        rule: '*',
        has_secret: true,
        target: { url: `http://127.0.0.1:${rx.port}/…` },
        max_attempts: 5,
      });
      const shown = await s.call('GET', `/api/v1/notifications/routes/${res.body.id}`, { token: viewer });
      expect(shown.status).toBe(200);
      expect(JSON.stringify(shown.body)).not.toContain(secret);
      expect(shown.body.secret).toBeUndefined();
      const listed = await s.call('GET', '/api/v1/notifications/routes', { token: viewer });
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      const row = await s.vigil.services.store.db
        .selectFrom('notification_routes')
        .select(['secret', 'config'])
        .where('id', '=', res.body.id)
        .executeTakeFirstOrThrow();
      expect(row.secret).toMatch(/^v1\./);
      expect(row.secret).not.toContain(secret);
      const auditText = JSON.stringify(
        (await s.call('GET', '/api/v1/audit?action=notification_route.%25', { token: s.adminToken })).body,
      );
      expect(auditText).toContain('notification_route.create');
      expect(auditText).not.toContain(secret);
      expect(auditText).not.toContain('secret-token-part');

      const denied = await s.call('POST', `/api/v1/notifications/routes/${res.body.id}/test`, {
        token: analyst,
      });
      expect(denied.status).toBe(403);
      const tested = await s.call('POST', '/api/v1/notifications/routes/hook/test', { token: s.adminToken });
      expect(tested.status, JSON.stringify(tested.body)).toBe(200);
      expect(tested.body.ok).toBe(true);
      const req = rx.requests[0]!;
      expect(JSON.parse(req.body)).toMatchObject({ type: 'test', route: { name: 'hook' } });
      expect(req.headers['x-vigil-signature-256']).toBe(
        `sha256=${createHmac('sha256', secret).update(req.body).digest('hex')}`,
      );

      const rotated = await s.call('PATCH', '/api/v1/notifications/routes/hook', {
        token: s.adminToken,
        body: { rotate_secret: true, rule: 'agent.*' },
      });
      expect(rotated.body.secret).toMatch(/^vgw_/);
      expect(rotated.body.secret).not.toBe(secret);
      expect(rotated.body.rule).toBe('agent.*');
      await s.call('POST', '/api/v1/notifications/routes/hook/test', { token: s.adminToken });
      expect(rx.requests[1]!.headers['x-vigil-signature-256']).toBe(
        `sha256=${createHmac('sha256', rotated.body.secret).update(rx.requests[1]!.body).digest('hex')}`,
      );
      expect(
        (await s.call('DELETE', '/api/v1/notifications/routes/hook', { token: s.adminToken })).status,
      ).toBe(200);
      expect(
        (await s.call('GET', '/api/v1/notifications/routes/hook', { token: viewer })).body.error.code,
      ).toBe('E_NOTIFICATION_ROUTE_NOT_FOUND');
    } finally {
      await rx.close();
    }
  });

  it('answers a failed test with E_NOTIFICATION_FAILED and records it as a dead delivery', async () => {
    const rx = await startHttpReceiver(() => 500);
    try {
      const res = await create({ name: 'broken', channel: 'slack', target: { url: rx.url } });
      const tested = await s.call('POST', `/api/v1/notifications/routes/${res.body.id}/test`, {
        token: s.adminToken,
      });
      expect(tested.status).toBe(502);
      expect(tested.body.error).toEqual({
        code: 'E_NOTIFICATION_FAILED',
        message: `the test message was not delivered: http://127.0.0.1:${rx.port}/… answered HTTP 500`,
      });
      const dead = await s.call('GET', `/api/v1/notifications/deliveries?status=dead&route=${res.body.id}`, {
        token: viewer,
      });
      expect(dead.body.items).toHaveLength(1);
      expect(dead.body.items[0]).toMatchObject({ kind: 'test', status: 'dead', attempts: 1 });
    } finally {
      await rx.close();
    }
  });

  it('routes raised alerts to a real SMTP server and a syslog collector by severity and rule', async () => {
    const smtp = await startSmtpReceiver();
    const udp = await startSyslogUdp();
    try {
      // SMTP login over plain SMTP is refused: the password would travel in clear.
      const plain = await create({
        name: 'mail-plain',
        channel: 'email',
        target: {
          host: '127.0.0.1',
          port: smtp.port,
          tls: 'none',
          from: 'v@example.test',
          to: ['ops@example.test'],
          username: 'mailer',
        },
        password: 'smtp-secret-pw',
      });
      expect(plain.body.error.code).toBe('E_NOTIFICATION_TARGET');
      const mail = await create({
        name: 'mail',
        channel: 'email',
        target: {
          host: '127.0.0.1',
          port: smtp.port,
          tls: 'none',
          from: 'v@example.test',
          to: ['ops@example.test'],
        },
        min_severity: 'critical',
      });
      expect(mail.status, JSON.stringify(mail.body)).toBe(201);
      const sys = await create({
        name: 'siem',
        channel: 'syslog',
        target: { host: '127.0.0.1', port: udp.port, transport: 'udp' },
        rule: 'route.*',
        min_severity: 'low',
      });
      expect(sys.status).toBe(201);
      const accountId = (await s.vigil.services.repos.users.byEmail('admin@example.test'))!.account_id;
      const raise = (rule: string, severity: 'low' | 'critical') =>
        s.vigil.services.alerts.raise({
          account_id: accountId,
          device_id: null,
          rule,
          severity,
          title: `${rule} ${severity}`,
          context: {},
        });
      await raise('route.low', 'low');
      await raise('route.crit', 'critical');
      await raise('other.crit', 'critical');
      expect(await until(() => smtp.mails.length === 2 && udp.messages.length === 2, 10_000)).toBe(true);
      expect(smtp.mails.map((m) => /^Subject: (.*)$/m.exec(m.data)?.[1]).sort()).toEqual([
        '[Vigil] CRITICAL: other.crit critical',
        '[Vigil] CRITICAL: route.crit critical',
      ]);
      expect(udp.messages.map((m) => /rule="([^"]+)"/.exec(m)?.[1]).sort()).toEqual([
        'route.crit',
        'route.low',
      ]);
      const del = (await s.call('GET', '/api/v1/notifications/deliveries?status=sent', { token: viewer }))
        .body.items;
      expect(del.filter((d: { kind: string }) => d.kind === 'alert')).toHaveLength(4);
      for (const id of [mail.body.id, sys.body.id])
        await s.call('DELETE', `/api/v1/notifications/routes/${id}`, { token: s.adminToken });
    } finally {
      await smtp.close();
      await udp.close();
    }
  });

  it('refuses bad routes with stable codes', async () => {
    const bad = async (body: Record<string, unknown>, code: string, token = s.adminToken) => {
      const res = await create(body, token);
      expect(res.body?.error?.code, JSON.stringify(res.body)).toBe(code);
      return res.body.error.message as string;
    };
    await bad(
      { name: 'x', channel: 'webhook', target: { url: 'http://127.0.0.1:1/x' } },
      'E_FORBIDDEN',
      analyst,
    );
    expect(
      await bad({ name: 'x', channel: 'webhook', target: { host: 'h', port: 1 } }, 'E_NOTIFICATION_TARGET'),
    ).toContain('url');
    await bad({ name: 'x', channel: 'webhook', target: { url: 'ftp://example.test/x' } }, 'E_VALIDATION');
    await bad({ name: 'x', channel: 'pager', target: {} }, 'E_VALIDATION');
    await bad(
      {
        name: 'x',
        channel: 'syslog',
        target: { host: '127.0.0.1', port: 514, transport: 'udp', framing: 'lf' },
      },
      'E_NOTIFICATION_TARGET',
    );
    await bad(
      { name: 'x', channel: 'syslog', target: { host: '127.0.0.1', port: 70000, transport: 'udp' } },
      'E_VALIDATION',
    );
    await bad(
      {
        name: 'x',
        channel: 'slack',
        target: { url: 'http://127.0.0.1:1/x' },
        secret: 'a-secret-of-16-chars',
      },
      'E_NOTIFICATION_TARGET',
    );
    await bad(
      {
        name: 'x',
        channel: 'webhook',
        target: { url: 'http://127.0.0.1:1/x' },
        rate_limit: { count: 1, window_s: 60 },
        digest_window_s: 60,
      },
      'E_VALIDATION',
    );
    await bad(
      { name: 'x', channel: 'webhook', target: { url: 'http://127.0.0.1:1/x' }, group: 'no-such-group' },
      'E_GROUP_NOT_FOUND',
    );
    const ok = await create({ name: 'dup', channel: 'webhook', target: { url: 'http://127.0.0.1:1/x' } });
    expect(ok.status).toBe(201);
    await bad(
      { name: 'dup', channel: 'webhook', target: { url: 'http://127.0.0.1:1/x' } },
      'E_ALREADY_EXISTS',
    );
    const deliveries = await s.call('GET', '/api/v1/notifications/deliveries?status=lost', { token: viewer });
    expect(deliveries.body.error.code).toBe('E_VALIDATION');
  });
});

describe('route secrets in logs', () => {
  it('never writes a webhook secret or an SMTP password to the server log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const s = await startBareServer(createLogger('trace', sink));
    try {
      const setup = await s.call('POST', '/api/v1/setup', {
        body: { email: 'logs@example.test', password: 'a long enough password' },
      });
      expect(setup.status).toBe(201);
      const p = {
        kind: 'session' as const,
        userId: setup.body.id as string,
        accountId: setup.body.account_id as string,
        role: 'admin' as const,
        email: 'logs@example.test',
      };
      const token = (
        await s.vigil.services.auth.createApiToken(
          { principal: p, ip: null },
          { name: 'logs', role: 'admin' },
        )
      ).secret;
      const auth = { authorization: `Bearer ${token}` };
      const secret = 'my-own-webhook-secret-0123456789';
      const hook = await s.call('POST', '/api/v1/notifications/routes', {
        headers: auth,
        body: {
          name: 'log-hook',
          channel: 'webhook',
          target: { url: 'http://127.0.0.1:9/x' },
          secret,
          max_attempts: 1,
        },
      });
      expect(hook.status, JSON.stringify(hook.body)).toBe(201);
      const mail = await s.call('POST', '/api/v1/notifications/routes', {
        headers: auth,
        body: {
          name: 'log-mail',
          channel: 'email',
          target: {
            host: '127.0.0.1',
            port: 9,
            tls: 'starttls',
            from: 'v@example.test',
            to: ['o@example.test'],
            username: 'u',
          },
          password: 'smtp-password-never-logged',
          max_attempts: 1,
        },
      });
      expect(mail.status, JSON.stringify(mail.body)).toBe(201);
      expect(
        (await s.call('POST', '/api/v1/notifications/routes/log-hook/test', { headers: auth })).status,
      ).toBe(502);
      expect(
        (await s.call('POST', '/api/v1/notifications/routes/log-mail/test', { headers: auth })).status,
      ).toBe(502);
      await s.vigil.services.alerts.raise({
        account_id: p.accountId,
        device_id: null,
        rule: 'x.y',
        severity: 'critical',
        title: 't',
        context: {},
      });
      expect(
        await until(async () => {
          const dead = await s.call('GET', '/api/v1/notifications/deliveries?status=dead', { headers: auth });
          return dead.body.items.filter((d: { kind: string }) => d.kind === 'alert').length === 2;
        }, 15_000),
      ).toBe(true);
      const text = lines.join('');
      expect(text).toContain('notification dead-lettered');
      expect(text).not.toContain(secret);
      expect(text).not.toContain('smtp-password-never-logged');
    } finally {
      await s.stop();
    }
  });
});
