import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RaiseInput } from '../../services/alerts/alert-service.js';
import { OFFLINE_RULE } from '../../services/alerts/offline-watch.js';
import { startHttpReceiver } from '../../services/notifications/test-support/receivers.js';
import { storeEngines } from '../../store/test-stores.js';
import {
  createTestEnrollmentToken,
  type EnrolledTestDevice,
  enrollTestDevice,
} from '../../test-support/enroll-device.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const engines = await storeEngines();

describe.each(engines)('alerts on %s', (kind) => {
  let s: TestServer;
  let accountId: string;
  let web: EnrolledTestDevice;
  let db: EnrolledTestDevice;
  let analyst: string;
  let viewer: string;

  beforeAll(async () => {
    s = await startTestServer(kind);
    await s.vigil.alerting.stop();
    accountId = (await s.vigil.services.repos.users.byEmail('admin@example.test'))!.account_id;
    const token = await createTestEnrollmentToken(s, {});
    web = await enrollTestDevice(s, { token, hostname: 'web-1', machineId: 'm-web-1' });
    db = await enrollTestDevice(s, { token, hostname: 'db-1', machineId: 'm-db-1' });
    const g = await s.call('POST', '/api/v1/groups', {
      token: s.adminToken,
      body: { name: 'databases', kind: 'static' },
    });
    await s.call('POST', `/api/v1/groups/${g.body.id}/members`, {
      token: s.adminToken,
      body: { devices: [db.deviceId] },
    });
    analyst = await s.tokenFor('analyst');
    viewer = await s.tokenFor('viewer');
  });
  afterAll(async () => s?.stop());

  const raise = (over: Partial<RaiseInput> = {}, now?: Date) =>
    s.vigil.services.alerts.raise(
      {
        account_id: accountId,
        device_id: web.deviceId,
        rule: 'test.coalesce',
        severity: 'medium',
        title: 'Something happened',
        context: { n: 0 },
        ...over,
      },
      now ? { now } : {},
    );
  const get = (id: string, token = s.adminToken) => s.call('GET', `/api/v1/alerts/${id}`, { token });
  const list = async (query: string, token = s.adminToken) => {
    const res = await s.call('GET', `/api/v1/alerts?${query}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as {
      items: Array<{ id: string; rule: string; count: number; status: string }>;
      next_cursor: string | null;
    };
  };
  const audit = async (action: string) =>
    (await s.call('GET', `/api/v1/audit?action=${action}`, { token: s.adminToken })).body.items as Array<{
      target: string;
      actor: string;
      actor_name: string;
      outcome: string;
      detail: Record<string, unknown>;
    }>;

  it('coalesces the same rule and key within the window into one alert with a count', async () => {
    const t0 = new Date('2026-03-01T10:00:00.000Z');
    const first = await raise({ rule: 'test.coalesce', key: 'k1', context: { n: 1 } }, t0);
    expect(first.outcome).toBe('created');
    for (let i = 2; i <= 5; i += 1) {
      const r = await raise(
        { rule: 'test.coalesce', key: 'k1', context: { n: i }, severity: i === 3 ? 'high' : 'low' },
        new Date(t0.getTime() + i * 60_000),
      );
      expect(r.outcome).toBe('coalesced');
      expect(r.alert.id).toBe(first.alert.id);
    }
    const a = (await get(first.alert.id)).body;
    expect(a).toMatchObject({
      count: 5,
      first_seen: '2026-03-01T10:00:00.000Z',
      last_seen: '2026-03-01T10:05:00.000Z',
      severity: 'high',
      status: 'open',
      device: { id: web.deviceId, hostname: 'web-1' },
      context: { n: 5 },
    });
    // Another key, and the same key after the window, are new alerts.
    expect((await raise({ rule: 'test.coalesce', key: 'k2' }, t0)).outcome).toBe('created');
    const late = await raise({ rule: 'test.coalesce', key: 'k1' }, new Date(t0.getTime() + 3 * 3600_000));
    expect(late.outcome).toBe('created');
    expect(late.alert.id).not.toBe(first.alert.id);
    expect((await list('rule=test.coalesce')).items).toHaveLength(3);
    // Raising is audited once per alert, not per repeat.
    const raisedAudit = (await audit('alert.raise')).filter((e) => e.target === `alert:${first.alert.id}`);
    expect(raisedAudit).toHaveLength(1);
    expect(raisedAudit[0]).toMatchObject({ actor: 'system', outcome: 'success' });
  });

  it('acknowledges and resolves with who and when, audited; a resolved alert is not reused', async () => {
    const { alert } = await raise({ rule: 'test.status', key: 's1' });
    const denied = await s.call('POST', `/api/v1/alerts/${alert.id}/ack`, { token: viewer, body: {} });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('E_FORBIDDEN');
    const ack = await s.call('POST', `/api/v1/alerts/${alert.id}/ack`, {
      token: analyst,
      body: { note: 'looking' },
    });
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', note: 'looking' });
    expect(ack.body.acknowledged_by).toMatch(/^analyst\d+@example\.test$/);
    expect(Date.parse(ack.body.acknowledged_at)).toBeGreaterThan(Date.now() - 60_000);
    const again = await s.call('POST', `/api/v1/alerts/${alert.id}/ack`, { token: analyst, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('E_ALERT_STATE');
    expect(again.body.error.message).toContain('already acknowledged by analyst');
    // Repeats while acknowledged still fold into it.
    expect((await raise({ rule: 'test.status', key: 's1' })).alert.id).toBe(alert.id);
    const resolved = await s.call('POST', `/api/v1/alerts/${alert.id}/resolve`, { token: analyst, body: {} });
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      count: 2,
      acknowledged_by: ack.body.acknowledged_by,
    });
    expect(resolved.body.resolved_by).toBe(ack.body.acknowledged_by);
    const twice = await s.call('POST', `/api/v1/alerts/${alert.id}/resolve`, { token: analyst, body: {} });
    expect(twice.body.error.code).toBe('E_ALERT_STATE');
    const next = await raise({ rule: 'test.status', key: 's1' });
    expect(next.outcome).toBe('created');
    expect(next.alert.id).not.toBe(alert.id);
    const acks = (await audit('alert.acknowledge')).filter((e) => e.target === `alert:${alert.id}`);
    expect(acks.map((e) => e.outcome).sort()).toEqual(['failure', 'success']);
    expect((await audit('alert.resolve')).filter((e) => e.target === `alert:${alert.id}`)).toHaveLength(2);
  });

  it('suppresses by rule pattern and device or group until expiry, without notifying', async () => {
    const rx = await startHttpReceiver();
    try {
      const route = await s.call('POST', '/api/v1/notifications/routes', {
        token: s.adminToken,
        body: {
          name: 'supp-hook',
          channel: 'webhook',
          target: { url: rx.url },
          min_severity: 'info',
          rule: 'supp.*',
        },
      });
      expect(route.status).toBe(201);
      const byAnalyst = await s.call('POST', '/api/v1/alerts/suppressions', {
        token: analyst,
        body: { rule: 'supp.*', reason: 'x' },
      });
      expect(byAnalyst.status).toBe(403);
      const onGroup = await s.call('POST', '/api/v1/alerts/suppressions', {
        token: s.adminToken,
        body: { rule: 'supp.*', group: 'databases', reason: 'maintenance window', duration_s: 3600 },
      });
      expect(onGroup.status, JSON.stringify(onGroup.body)).toBe(201);
      expect(onGroup.body).toMatchObject({
        rule: 'supp.*',
        group: { name: 'databases' },
        active: true,
        hits: 0,
      });
      const muted = await raise({ rule: 'supp.noisy', device_id: db.deviceId });
      expect(muted.outcome).toBe('suppressed');
      expect(muted.alert).toMatchObject({ status: 'suppressed', suppression_id: onGroup.body.id });
      const loud = await raise({ rule: 'supp.noisy', device_id: web.deviceId });
      expect(loud.outcome).toBe('created');
      const queued = (
        await s.call('GET', `/api/v1/notifications/deliveries?route=${route.body.id}`, {
          token: s.adminToken,
        })
      ).body.items as Array<{ alert_ids: string[] }>;
      expect(queued.map((d) => d.alert_ids[0])).toEqual([loud.alert.id]);
      await s.vigil.alerting.worker.runOnce();
      expect(rx.requests.map((r) => JSON.parse(r.body).alert.id)).toEqual([loud.alert.id]);
      expect(
        (await s.call('GET', `/api/v1/alerts/suppressions/${onGroup.body.id}`, { token: viewer })).body.hits,
      ).toBe(1);
      // After the expiry the rule no longer applies.
      expect(
        (
          await raise(
            { rule: 'supp.noisy', device_id: db.deviceId, key: 'later' },
            new Date(Date.now() + 2 * 3600_000),
          )
        ).outcome,
      ).toBe('created');
      // Ended now by setting its expiry to the past: listed only with include_expired.
      const ended = await s.call('PATCH', `/api/v1/alerts/suppressions/${onGroup.body.id}`, {
        token: s.adminToken,
        body: { expires_at: '2020-01-01T00:00:00Z' },
      });
      expect(ended.body.active).toBe(false);
      expect(
        (await s.call('GET', '/api/v1/alerts/suppressions', { token: viewer })).body.items.map(
          (x: { id: string }) => x.id,
        ),
      ).not.toContain(onGroup.body.id);
      expect(
        (
          await s.call('GET', '/api/v1/alerts/suppressions?include_expired=true', { token: viewer })
        ).body.items.map((x: { id: string }) => x.id),
      ).toContain(onGroup.body.id);
      const del = await s.call('DELETE', `/api/v1/alerts/suppressions/${onGroup.body.id}`, {
        token: s.adminToken,
      });
      expect(del.status).toBe(200);
      expect(
        (await s.call('GET', `/api/v1/alerts/suppressions/${onGroup.body.id}`, { token: viewer })).body.error
          .code,
      ).toBe('E_SUPPRESSION_NOT_FOUND');
      expect((await audit('alert_suppression.%')).map((e) => e.target)).toContain(
        `suppression:${onGroup.body.id}`,
      );
      await s.call('DELETE', `/api/v1/notifications/routes/${route.body.id}`, { token: s.adminToken });
    } finally {
      await rx.close();
    }
  });

  it('refuses bad suppressions with stable codes', async () => {
    const bad = async (body: unknown, code: string) => {
      const res = await s.call('POST', '/api/v1/alerts/suppressions', { token: s.adminToken, body });
      expect(res.body?.error?.code, JSON.stringify(res.body)).toBe(code);
    };
    await bad({ rule: 'x', reason: 'r', device: web.deviceId, group: 'databases' }, 'E_VALIDATION');
    await bad({ rule: 'x', reason: 'r', expires_at: '2020-01-01T00:00:00Z' }, 'E_VALIDATION');
    await bad({ rule: 'rm -rf /', reason: 'r' }, 'E_VALIDATION');
    await bad({ rule: 'x', reason: 'r', device: 'nope' }, 'E_DEVICE_NOT_FOUND');
    await bad({ rule: 'x', reason: 'r', group: 'nope' }, 'E_GROUP_NOT_FOUND');
    await bad({ rule: 'x' }, 'E_VALIDATION');
  });

  it('filters the inbox by severity, status, device, group, rule pattern and time, with pagination', async () => {
    const base = new Date('2026-05-01T00:00:00.000Z').getTime();
    const made: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const r = await raise(
        {
          rule: i % 2 ? 'inbox.odd' : 'inbox.even',
          key: `inbox-${i}`,
          severity: i < 2 ? 'critical' : 'low',
          device_id: i < 3 ? db.deviceId : web.deviceId,
        },
        new Date(base + i * 60_000),
      );
      made.push(r.alert.id);
    }
    const ids = async (q: string) => (await list(`rule=inbox.*&${q}`)).items.map((a) => a.id);
    expect(await ids('')).toEqual([...made].reverse());
    expect(await ids('severity=critical')).toEqual([made[1], made[0]]);
    expect(await ids('min_severity=high')).toEqual([made[1], made[0]]);
    expect(await ids(`device=${web.deviceId}`)).toEqual([made[5], made[4], made[3]]);
    expect(await ids('group=databases')).toEqual([made[2], made[1], made[0]]);
    expect((await list('rule=inbox.odd')).items.map((a) => a.id)).toEqual([made[5], made[3], made[1]]);
    expect(await ids('since=2026-05-01T00:03:00Z&until=2026-05-01T00:05:00Z')).toEqual([made[4], made[3]]);
    await s.call('POST', `/api/v1/alerts/${made[0]}/resolve`, { token: analyst, body: {} });
    expect(await ids('status=resolved')).toEqual([made[0]]);
    expect(await ids('status=open&severity=critical')).toEqual([made[1]]);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i += 1) {
      const page = await list(`rule=inbox.*&limit=4${cursor ? `&cursor=${cursor}` : ''}`, viewer);
      seen.push(...page.items.map((a) => a.id));
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([...made].reverse());
    const one = (await get(made[2]!, viewer)).body;
    expect(one).toMatchObject({
      id: made[2],
      rule: 'inbox.even',
      device: { hostname: 'db-1' },
      context: { n: 0 },
    });
  });

  it('answers bad inbox requests with stable codes', async () => {
    const code = async (path: string, expected: string, status: number) => {
      const res = await s.call('GET', path, { token: viewer });
      expect(res.status, path).toBe(status);
      expect(res.body.error.code, path).toBe(expected);
    };
    await code('/api/v1/alerts?severity=urgent', 'E_VALIDATION', 400);
    await code('/api/v1/alerts?status=closed', 'E_VALIDATION', 400);
    await code('/api/v1/alerts?limit=0', 'E_VALIDATION', 400);
    await code('/api/v1/alerts?since=yesterday', 'E_VALIDATION', 400);
    await code('/api/v1/alerts?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 'E_VALIDATION', 400);
    await code('/api/v1/alerts?cursor=bm90LWEtY3Vyc29y', 'E_BAD_REQUEST', 400);
    await code('/api/v1/alerts?group=nope', 'E_GROUP_NOT_FOUND', 404);
    await code('/api/v1/alerts?rule=%27%3B%20DROP%20TABLE%20alerts', 'E_VALIDATION', 400);
    await code('/api/v1/alerts/no-such-alert', 'E_ALERT_NOT_FOUND', 404);
    const unknown = await s.call('POST', '/api/v1/alerts/no-such-alert/ack', { token: analyst, body: {} });
    expect(unknown.body.error.code).toBe('E_ALERT_NOT_FOUND');
    const extra = await s.call('POST', `/api/v1/alerts/${(await raise({ key: 'extra' })).alert.id}/ack`, {
      token: analyst,
      body: { note: 'x', status: 'resolved' },
    });
    expect(extra.body.error.code).toBe('E_VALIDATION');
  });

  it('raises one offline-too-long alert per offline period and resolves it when the device returns', async () => {
    const lastSeen = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await s.vigil.services.repos.devices.update(web.deviceId, { status: 'offline', last_seen_at: lastSeen });
    await s.vigil.services.repos.devices.update(db.deviceId, {
      status: 'offline',
      last_seen_at: new Date(Date.now() - 3600_000).toISOString(),
    });
    const offline = s.vigil.alerting.offline;
    expect(offline.thresholdS).toBe(86_400);
    expect(await offline.sweep()).toBe(1);
    expect(await offline.sweep()).toBe(0);
    const alerts = (await list(`rule=${OFFLINE_RULE}`)).items;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ count: 1, status: 'open' });
    const detail = (await get(alerts[0]!.id)).body;
    expect(detail.title).toBe('web-1 has been offline for more than 1d');
    expect(detail.context).toMatchObject({ last_seen_at: lastSeen, threshold_s: 86_400 });
    await offline.deviceReturned(accountId, web.deviceId);
    expect((await get(alerts[0]!.id)).body).toMatchObject({ status: 'resolved', resolved_by: 'system' });
    // A new offline period is a new alert.
    await s.vigil.services.repos.devices.update(web.deviceId, {
      last_seen_at: new Date(Date.now() - 1.5 * 86_400_000).toISOString(),
    });
    expect(await offline.sweep()).toBe(1);
    expect((await list(`rule=${OFFLINE_RULE}`)).items).toHaveLength(2);
  });
});
