/**
 * The metrics API end to end over the agent channel: a protocol-level agent delivers metrics.sample
 * items (once, and again after a "lost ack"), viewers read series, the latest sample and the fleet
 * roll-up, and a live stream switches the agent to 1 s and back through signed metrics.rate commands.
 */
import { randomBytes } from 'node:crypto';
import type { MetricSampleT } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketStart } from '../../services/metrics/series.js';
import { testSample } from '../../services/metrics/test-samples.js';
import { MetricsRepo } from '../../store/repos/metrics.js';
import { storeEngines } from '../../store/test-stores.js';
import { openEventStream } from '../../test-support/event-stream.js';
import {
  commandKind,
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawAgent,
  type RawSession,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

function msgId(): string {
  return randomBytes(12).toString('base64url');
}

/** The signed body of a command message (decoded without verifying; the agent tests verify). */
function commandBody(m: any): any {
  return JSON.parse(Buffer.from(m.env.payload, 'base64').toString('utf8')).body;
}

const engines = await storeEngines();

describe.each(engines)('metrics API on %s', (kind) => {
  let s: TestServer;
  let viewer: string;
  let agent: RawAgent;
  let quiet: RawAgent;
  let session: RawSession;
  const now = Date.now();
  // Ten minutes of samples at 10 s, starting on an even minute, ending at least two minutes ago.
  const start = bucketStart(now - 12 * 60_000, 120_000);
  const samples: MetricSampleT[] = Array.from({ length: 60 }, (_, i) => testSample(start + i * 10_000, i));

  /** Deliver one outbox item and wait for its ack. */
  const deliver = async (sess: RawSession, items: Array<{ id: string; body: unknown }>) => {
    sess.send({
      t: 'outbox.deliver',
      items: items.map((i) => ({ id: i.id, kind: 'metrics.sample', at: Date.now(), body: i.body })),
    });
    await sess.next((m) => m.t === 'outbox.ack' && items.every((i) => m.ids.includes(i.id)));
  };

  beforeAll(async () => {
    s = await startTestServer(kind);
    viewer = await s.tokenFor('viewer');
    const token = await createEnrollmentToken(s);
    agent = await enrollRawAgent(s, token, testFacts('metrics-host'));
    quiet = await enrollRawAgent(s, token, testFacts('quiet-host'));
    session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
  });
  afterAll(async () => {
    session?.ws.close();
    await s?.stop();
  });

  it('stores delivered samples once, even when the agent sends an item again', async () => {
    const items = [0, 30].map((offset) => ({
      id: msgId(),
      body: { samples: samples.slice(offset, offset + 30) },
    }));
    await deliver(session, items);
    // The ack was "lost": the agent sends the same items again, and one new item repeating a sample.
    await deliver(session, items);
    await deliver(session, [{ id: msgId(), body: { samples: [samples[59]] } }]);
    const repo = new MetricsRepo(s.vigil.services.store.db);
    expect(await repo.count('metric_samples', agent.id)).toBe(60);
    const minutes = await repo.rollupRange('metric_rollups_1m', agent.id, 0, Number.MAX_SAFE_INTEGER);
    expect(minutes.map((m) => m.samples)).toEqual(Array(10).fill(6));
  });

  it('answers series at the resolution the step calls for, to a viewer', async () => {
    const from = new Date(start).toISOString();
    const to = new Date(start + 10 * 60_000).toISOString();
    const raw = await s.call('GET', `/api/v1/devices/${agent.id}/metrics?from=${from}&to=${to}&step=10`, {
      token: viewer,
    });
    expect(raw.status).toBe(200);
    expect(raw.body.resolution).toBe('raw');
    expect(raw.body.t).toHaveLength(60);
    expect(raw.body.series.cpu.avg).toEqual(samples.map((x) => x.cpu?.pct));
    expect(raw.body.series['disk.pct'].max[0]).toBe(91);
    expect(raw.body.series['cpu:0']).toBeUndefined();

    const minute = await s.call('GET', `/api/v1/devices/${agent.id}/metrics?from=${from}&to=${to}&step=120`, {
      token: viewer,
    });
    expect(minute.body).toMatchObject({ resolution: '1m', step_s: 120 });
    expect(minute.body.samples).toEqual([12, 12, 12, 12, 12]);
    // Samples i = 0..11 in the first two minutes: cpu mean 5.5, max 11.
    expect(minute.body.series.cpu.avg[0]).toBe(5.5);
    expect(minute.body.series.cpu.max[0]).toBe(11);

    const hour = await s.call('GET', `/api/v1/devices/${agent.id}/metrics?from=${from}&to=${to}&step=3600`, {
      token: viewer,
    });
    expect(hour.body.resolution).toBe('1h');
    expect(hour.body.samples.reduce((a: number, b: number) => a + b, 0)).toBe(60);

    const detail = await s.call(
      'GET',
      `/api/v1/devices/${agent.id}/metrics?from=${from}&to=${to}&step=60&series=disk.pct:*,net.rx_bps:eth0`,
      { token: viewer },
    );
    expect(Object.keys(detail.body.series).sort()).toEqual([
      'disk.pct:/',
      'disk.pct:/data',
      'net.rx_bps:eth0',
    ]);
  });

  it('reads an old range from a coarser tier than the step asks for', async () => {
    const from = new Date(now - 3 * 3_600_000).toISOString();
    const res = await s.call('GET', `/api/v1/devices/${agent.id}/metrics?from=${from}&step=5`, {
      token: viewer,
    });
    expect(res.status).toBe(200);
    expect(res.body.resolution).toBe('1m');
    expect(res.body.step_s).toBe(60);
  });

  it('gives the latest sample, and a clear 404 for a device without one', async () => {
    const latest = await s.call('GET', `/api/v1/devices/${agent.id}/metrics/latest`, { token: viewer });
    expect(latest.status).toBe(200);
    expect(latest.body.sample.ts).toBe(samples[59]?.ts);
    expect(latest.body.sampled_at).toBe(new Date(samples[59]?.ts ?? 0).toISOString());
    const none = await s.call('GET', `/api/v1/devices/${quiet.id}/metrics/latest`, { token: viewer });
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('E_NOT_FOUND');
    expect(none.body.error.message).toContain('no metrics yet');
  });

  it('lists devices above thresholds in the fleet roll-up', async () => {
    const disk = await s.call('GET', '/api/v1/metrics/fleet?disk_above=90', { token: viewer });
    expect(disk.status).toBe(200);
    expect(disk.body.total).toBe(1);
    expect(disk.body.items[0]).toMatchObject({
      device_id: agent.id,
      hostname: 'metrics-host',
      disk_pct: 91,
      disk_mount: '/data',
      cpu_pct: 59,
      above: ['disk'],
    });
    const both = await s.call('GET', '/api/v1/metrics/fleet?cpu_above=50&disk_above=95', { token: viewer });
    expect(both.body.items.map((i: { above: string[] }) => i.above)).toEqual([['cpu']]);
    const none = await s.call('GET', '/api/v1/metrics/fleet?cpu_above=60&disk_above=95', { token: viewer });
    expect(none.body).toEqual({ items: [], total: 0 });
    const stale = await s.call('GET', '/api/v1/metrics/fleet?max_age_s=1', { token: viewer });
    expect(stale.body.total).toBe(0);
  });

  it('refuses bad input with stable codes and actionable messages', async () => {
    // Five days of 1-minute points is 7200: more than one answer holds.
    const fiveDaysAgo = new Date(now - 5 * 86_400_000).toISOString();
    const cases: Array<[string, number, string]> = [
      [
        `/api/v1/devices/${agent.id}/metrics?from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z`,
        400,
        'E_VALIDATION',
      ],
      [`/api/v1/devices/${agent.id}/metrics?from=${fiveDaysAgo}&step=60`, 400, 'E_VALIDATION'],
      [`/api/v1/devices/${agent.id}/metrics?step=0`, 400, 'E_VALIDATION'],
      [`/api/v1/devices/${agent.id}/metrics?from=yesterday`, 400, 'E_VALIDATION'],
      ['/api/v1/devices/no-such-device/metrics', 404, 'E_DEVICE_NOT_FOUND'],
      ['/api/v1/devices/no-such-device/metrics/stream', 404, 'E_DEVICE_NOT_FOUND'],
      ['/api/v1/metrics/fleet?cpu_above=101', 400, 'E_VALIDATION'],
      ['/api/v1/metrics/fleet?limit=0', 400, 'E_VALIDATION'],
      ['/api/v1/metrics/fleet?color=red', 400, 'E_VALIDATION'],
    ];
    for (const [path, status, code] of cases) {
      const res = await s.call('GET', path, { token: viewer });
      expect([path, res.status, res.body?.error?.code]).toEqual([path, status, code]);
    }
    const tooMany = await s.call('GET', `/api/v1/devices/${agent.id}/metrics?from=${fiveDaysAgo}&step=60`, {
      token: viewer,
    });
    expect(tooMany.body.error.message).toMatch(/use step=\d+ or more/);
    for (const path of [`/api/v1/devices/${agent.id}/metrics`, '/api/v1/metrics/fleet']) {
      expect((await s.call('GET', path)).status).toBe(401);
    }
  });

  it("keeps another account's metrics out of reach, and refuses to stream a revoked device", async () => {
    const bToken = (await s.otherAccount()).adminToken;
    for (const path of [
      `/api/v1/devices/${agent.id}/metrics`,
      `/api/v1/devices/${agent.id}/metrics/latest`,
      `/api/v1/devices/${agent.id}/metrics/stream`,
    ]) {
      const res = await s.call('GET', path, { token: bToken });
      expect([path, res.status, res.body.error.code]).toEqual([path, 404, 'E_DEVICE_NOT_FOUND']);
    }
    expect((await s.call('GET', '/api/v1/metrics/fleet', { token: bToken })).body).toEqual({
      items: [],
      total: 0,
    });

    expect((await s.call('POST', `/api/v1/devices/${quiet.id}/revoke`, { token: s.adminToken })).status).toBe(
      200,
    );
    const revoked = await s.call('GET', `/api/v1/devices/${quiet.id}/metrics/stream`, { token: viewer });
    expect([revoked.status, revoked.body.error.code]).toEqual([409, 'E_CONFLICT']);
  });

  it('switches the agent to 1 s while a viewer streams, and back to 60 s when the last one leaves', async () => {
    const url = `${s.url}/api/v1/devices/${agent.id}/metrics/stream`;
    const seenBefore = session.inbox.length;
    const first = await openEventStream(url, viewer, s.dispatcher);
    expect(first.status).toBe(200);
    expect(first.contentType).toContain('text/event-stream');
    const hello = await first.next((e) => e.event === 'hello');
    expect(hello.data.latest.ts).toBe(samples[59]?.ts);
    const fast = await session.next(
      (m) => session.inbox.indexOf(m) >= seenBefore && commandKind(m) === 'metrics.rate',
    );
    expect(commandBody(fast).interval_s).toBe(1);
    expect(commandBody(fast).until).toBeGreaterThan(Date.now());

    // A second viewer does not send another command; samples reach both.
    const second = await openEventStream(url, viewer, s.dispatcher);
    await second.next((e) => e.event === 'hello');
    const live = testSample(Date.now(), 42);
    await deliver(session, [{ id: msgId(), body: { samples: [live] } }]);
    for (const stream of [first, second]) {
      const e = await stream.next((x) => x.event === 'sample');
      expect(e.data).toEqual({ device_id: agent.id, sample: live });
    }
    first.close();
    await first.ended;
    await new Promise((r) => setTimeout(r, 300));
    const rates = () =>
      session.inbox
        .slice(seenBefore)
        .filter((m) => commandKind(m) === 'metrics.rate')
        .map(commandBody);
    expect(rates().map((b) => b.interval_s)).toEqual([1]);
    expect(s.vigil.hostMetrics.watch.viewers(agent.id)).toBe(1);

    second.close();
    const slow = await session.next(
      (m) => commandKind(m) === 'metrics.rate' && commandBody(m).interval_s === 60,
    );
    expect(commandBody(slow)).toEqual({ interval_s: 60 });
    expect(s.vigil.hostMetrics.watch.viewers(agent.id)).toBe(0);

    // The audit record follows the command: wait for it rather than race it.
    let details: number[] = [];
    for (let i = 0; i < 50 && details.length < 2; i++) {
      const audit = await s.call('GET', '/api/v1/audit?action=device.metrics_rate', { token: s.adminToken });
      details = audit.body.items.map((x: { detail: { interval_s: number } }) => x.detail.interval_s).sort();
      if (details.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(details).toEqual([1, 60]);
  });

  it('sends the fast rate again when the watched agent reconnects', async () => {
    const url = `${s.url}/api/v1/devices/${agent.id}/metrics/stream`;
    const mark = session.inbox.length;
    const stream = await openEventStream(url, viewer, s.dispatcher);
    await session.next(
      (m) =>
        session.inbox.indexOf(m) >= mark &&
        commandKind(m) === 'metrics.rate' &&
        commandBody(m).interval_s === 1,
    );
    session.ws.close();
    await session.closed;
    session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const again = await session.nextCommand('metrics.rate');
    expect(commandBody(again).interval_s).toBe(1);
    stream.close();
    await session.next((m) => commandKind(m) === 'metrics.rate' && commandBody(m).interval_s === 60);
  });
});
