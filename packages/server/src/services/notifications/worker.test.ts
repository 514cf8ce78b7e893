import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { openStore } from '../../store/db.js';
import { NotificationDeliveriesRepo } from '../../store/repos/notification-deliveries.js';
import { storeEngines } from '../../store/test-stores.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';
import type { RaiseInput } from '../alerts/alert-service.js';
import { startHttpReceiver, until } from './test-support/receivers.js';
import type { NotificationWorker, PassReport } from './worker.js';

const engines = await storeEngines();

/** Run passes at `now` until one does nothing (bounded). */
async function drain(worker: NotificationWorker, now: Date): Promise<PassReport> {
  const total: PassReport = { sent: 0, retried: 0, dead: 0, held: 0, digests: 0, cancelled: 0 };
  for (let i = 0; i < 50; i += 1) {
    const r = await worker.runOnce(now);
    for (const k of Object.keys(total) as Array<keyof PassReport>) total[k] += r[k];
    if (Object.values(r).every((v) => v === 0)) return total;
  }
  throw new Error('the queue did not drain in 50 passes');
}

describe.each(engines)('notification worker on %s', (kind) => {
  let s: TestServer;
  let accountId: string;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    s = await startTestServer(kind);
    // These tests drive the worker by hand with their own clock.
    await s.vigil.alerting.stop();
    accountId = (await s.vigil.services.repos.users.byEmail('admin@example.test'))!.account_id;
  });
  afterAll(async () => s?.stop());
  afterEach(async () => {
    while (closers.length) await closers.pop()?.();
    // Routes of one test must not receive the next test's alerts.
    for (const r of (await s.call('GET', '/api/v1/notifications/routes', { token: s.adminToken })).body.items)
      await s.call('DELETE', `/api/v1/notifications/routes/${r.id}`, { token: s.adminToken });
  });

  const route = async (body: Record<string, unknown>) => {
    const res = await s.call('POST', '/api/v1/notifications/routes', {
      token: s.adminToken,
      body: { min_severity: 'low', ...body },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; secret?: string };
  };
  const raise = (over: Partial<RaiseInput> = {}) =>
    s.vigil.services.alerts.raise({
      account_id: accountId,
      device_id: null,
      rule: 'test.rule',
      severity: 'high',
      title: 'Test alert',
      context: { n: 1 },
      ...over,
    });
  const deliveries = async (query: string) =>
    (await s.call('GET', `/api/v1/notifications/deliveries?${query}`, { token: s.adminToken })).body
      .items as Array<{
      id: string;
      status: string;
      attempts: number;
      last_error: string | null;
      kind: string;
      alert_ids: string[];
      route_id: string;
    }>;

  it('retries a failing receiver with backoff and dead-letters after max_attempts, visible in the API', async () => {
    const rx = await startHttpReceiver(() => 500);
    closers.push(rx.close);
    const r = await route({ name: 'failing', channel: 'webhook', target: { url: rx.url }, max_attempts: 3 });
    const { alert } = await raise({ rule: 'test.dead', key: 'dead-1' });
    const t0 = new Date();
    expect((await drain(s.vigil.alerting.worker, t0)).retried).toBe(1);
    let [d] = await deliveries(`route=${r.id}`);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, kind: 'alert', alert_ids: [alert.id] });
    expect(d!.last_error).toBe(`http://127.0.0.1:${rx.port}/… answered HTTP 500`);
    // Not due yet: backoff is at least one second after the first failure.
    expect((await drain(s.vigil.alerting.worker, t0)).retried).toBe(0);
    expect(rx.requests).toHaveLength(1);
    await drain(s.vigil.alerting.worker, new Date(t0.getTime() + 10 * 60_000));
    expect(rx.requests).toHaveLength(2);
    const last = await drain(s.vigil.alerting.worker, new Date(t0.getTime() + 60 * 60_000));
    expect(last.dead).toBe(1);
    expect(rx.requests).toHaveLength(3);
    [d] = await deliveries(`route=${r.id}`);
    expect(d).toMatchObject({ status: 'dead', attempts: 3 });
    const dead = await deliveries('status=dead');
    expect(dead.map((x) => x.id)).toContain(d!.id);
    // Dead is final: later passes leave it alone.
    await drain(s.vigil.alerting.worker, new Date(t0.getTime() + 24 * 3600_000));
    expect(rx.requests).toHaveLength(3);
  });

  it('delivers once a receiver recovers, with the signature of the route secret', async () => {
    const rx = await startHttpReceiver((n) => (n <= 2 ? 503 : 200));
    closers.push(rx.close);
    const r = await route({ name: 'flaky', channel: 'webhook', target: { url: rx.url } });
    await raise({ rule: 'test.flaky', key: 'flaky-1' });
    const t0 = Date.now();
    for (const minutes of [0, 5, 60]) await drain(s.vigil.alerting.worker, new Date(t0 + minutes * 60_000));
    expect(rx.requests).toHaveLength(3);
    const [d] = await deliveries(`route=${r.id}`);
    expect(d).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
    const { createHmac } = await import('node:crypto');
    const body = rx.requests[2]!.body;
    expect(rx.requests[2]!.headers['x-vigil-signature-256']).toBe(
      `sha256=${createHmac('sha256', r.secret!).update(body).digest('hex')}`,
    );
  });

  it('turns a flood of 200 alerts into 5 messages plus one digest under a rate limit of 5 per minute', async () => {
    const rx = await startHttpReceiver();
    closers.push(rx.close);
    const r = await route({
      name: 'limited',
      channel: 'webhook',
      target: { url: rx.url },
      rate_limit: { count: 5, window_s: 60 },
    });
    const raised = new Set<string>();
    for (let i = 0; i < 200; i += 1)
      raised.add((await raise({ rule: 'test.flood', key: `flood-${i}` })).alert.id);
    expect(raised.size).toBe(200);
    const t0 = new Date();
    const first = await drain(s.vigil.alerting.worker, t0);
    expect(first).toMatchObject({ sent: 5, held: 195, digests: 0 });
    expect(rx.requests).toHaveLength(5);
    // The window is not over: the held alerts wait.
    await drain(s.vigil.alerting.worker, new Date(t0.getTime() + 30_000));
    expect(rx.requests).toHaveLength(5);
    const later = await drain(s.vigil.alerting.worker, new Date(t0.getTime() + 61_000));
    expect(later).toMatchObject({ digests: 1, sent: 1 });
    expect(rx.requests).toHaveLength(6);
    const digest = JSON.parse(rx.requests[5]!.body);
    expect(digest).toMatchObject({ type: 'digest', total: 195, truncated: true });
    const delivered = new Set<string>();
    for (const req of rx.requests.slice(0, 5)) delivered.add(JSON.parse(req.body).alert.id);
    const digestRow = (await deliveries(`route=${r.id}&limit=500`)).find((d) => d.kind === 'digest')!;
    for (const id of digestRow.alert_ids) delivered.add(id);
    expect(delivered).toEqual(raised);
  });

  it('sends one digest per window for 200 alerts in digest mode', async () => {
    const rx = await startHttpReceiver();
    closers.push(rx.close);
    await route({ name: 'digest', channel: 'slack', target: { url: rx.url }, digest_window_s: 300 });
    for (let i = 0; i < 200; i += 1)
      await raise({ rule: 'test.digest', key: `digest-${i}`, severity: i < 10 ? 'critical' : 'medium' });
    const t0 = new Date();
    expect(await drain(s.vigil.alerting.worker, t0)).toMatchObject({ sent: 0, held: 200 });
    expect(rx.requests).toHaveLength(0);
    await drain(s.vigil.alerting.worker, new Date(t0.getTime() + 301_000));
    expect(rx.requests).toHaveLength(1);
    const body = JSON.parse(rx.requests[0]!.body);
    expect(body.text).toBe('Vigil digest: 200 alerts (10 critical, 190 medium)');
    expect(body.blocks[1].text.text).toContain('… and 180 more');
  });

  it('takes over a delivery whose sender died mid-send once its lease runs out', async () => {
    const rx = await startHttpReceiver();
    closers.push(rx.close);
    const r = await route({ name: 'lease', channel: 'webhook', target: { url: rx.url } });
    await raise({ rule: 'test.lease', key: 'lease-1' });
    const [d] = await deliveries(`route=${r.id}`);
    const repo = new NotificationDeliveriesRepo(s.vigil.services.store.db);
    const now = new Date();
    // Another node claimed it and then vanished.
    expect(await repo.claim(d!.id, now.toISOString(), new Date(now.getTime() + 60_000).toISOString())).toBe(
      true,
    );
    await drain(s.vigil.alerting.worker, now);
    expect(rx.requests).toHaveLength(0);
    await drain(s.vigil.alerting.worker, new Date(now.getTime() + 61_000));
    expect(rx.requests).toHaveLength(1);
    expect((await deliveries(`route=${r.id}`))[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('keeps queued deliveries across a server restart and sends them from the new server', async () => {
    let failing = true;
    const rx = await startHttpReceiver(() => (failing ? 503 : 200));
    closers.push(rx.close);
    // A second app over the same database, as after a restart; the first one is closed.
    const first = await buildApp({
      config: s.vigil.services.config,
      store: s.store,
      keys: s.vigil.services.keys,
    });
    await first.app.ready();
    const r = await route({ name: 'restart', channel: 'webhook', target: { url: rx.url } });
    const raised = await first.services.alerts.raise({
      account_id: accountId,
      device_id: null,
      rule: 'test.restart',
      severity: 'critical',
      title: 'Before the restart',
      key: 'restart-1',
      context: {},
    });
    // The running worker of the first server tries and fails.
    expect(await until(() => rx.requests.length >= 1, 10_000)).toBe(true);
    await first.close();
    expect((await deliveries(`route=${r.id}`))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    failing = false;
    const pgSchema = (s.store as { pgSchema?: string }).pgSchema;
    const store = await openStore({ url: s.store.url, ...(pgSchema ? { pgSchema } : {}) });
    const second = await buildApp({ config: s.vigil.services.config, store, keys: s.vigil.services.keys });
    try {
      await second.app.ready();
      // Backoff after one failure is 1-2 s; the new server's worker picks it up by itself.
      expect(await until(async () => (await deliveries(`route=${r.id}`))[0]?.status === 'sent', 15_000)).toBe(
        true,
      );
      const ok = rx.requests.filter((_, i) => i >= 1);
      expect(ok).toHaveLength(1);
      expect(JSON.parse(ok[0]!.body).alert.id).toBe(raised.alert.id);
    } finally {
      await second.close();
      await store.close();
    }
  });
});
