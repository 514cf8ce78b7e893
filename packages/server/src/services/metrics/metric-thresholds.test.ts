/**
 * Metric threshold alerts end to end: a protocol-level agent delivers metrics.sample items over the
 * real channel, and the alert inbox (the REST API) shows one alert per device and mount while a
 * mount is over the line, which resolves itself only once the value is 5 points below it.
 */
import { randomBytes } from 'node:crypto';
import type { AlertSummaryT, AlertT } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../store/test-stores.js';
import {
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawAgent,
  type RawSession,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';
import { DISK_RULE, MEMORY_RULE, MetricThresholds } from './metric-thresholds.js';
import { testSample } from './test-samples.js';

const engines = await storeEngines();

describe.each(engines)('metric threshold alerts on %s', (kind) => {
  let s: TestServer;
  let agent: RawAgent;
  let session: RawSession;
  let clock = Date.now() - 60_000;

  beforeAll(async () => {
    s = await startTestServer(kind, { flags: { metricsDiskAlert: '90', metricsMemoryAlert: '80' } });
    agent = await enrollRawAgent(s, await createEnrollmentToken(s), testFacts('full-host'));
    session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
  });
  afterAll(async () => {
    session?.ws.close();
    await s?.stop();
  });

  /** A sample with these mounts' fill levels and this memory use. */
  function sample(disks: Record<string, number>, memoryPct: number) {
    clock += 1000;
    const base = testSample(clock, 1);
    return {
      ...base,
      memory: { ...base.memory!, pct: memoryPct },
      disks: Object.entries(disks).map(([mount, pct]) => ({
        mount,
        device: `/dev/${mount === '/' ? 'root' : mount.slice(1)}`,
        fstype: 'ext4',
        size: 100,
        used: pct,
        available: 100 - pct,
        pct,
      })),
    };
  }

  /** Deliver one sample over the channel; resolves once it was stored and judged. */
  async function deliver(disks: Record<string, number>, memoryPct = 50): Promise<void> {
    const id = randomBytes(12).toString('base64url');
    session.send({
      t: 'outbox.deliver',
      items: [{ id, kind: 'metrics.sample', at: Date.now(), body: { samples: [sample(disks, memoryPct)] } }],
    });
    await session.next((m) => m.t === 'outbox.ack' && m.ids.includes(id));
    await s.vigil.hostMetrics.thresholds.idle();
  }

  async function alerts(rule: string): Promise<AlertSummaryT[]> {
    const r = await s.call('GET', `/api/v1/alerts?rule=${rule}&limit=50`, { token: s.adminToken });
    expect(r.status).toBe(200);
    return (r.body as { items: AlertSummaryT[] }).items.sort((a, b) =>
      a.first_seen.localeCompare(b.first_seen),
    );
  }

  async function detail(id: string): Promise<AlertT> {
    return (await s.call('GET', `/api/v1/alerts/${id}`, { token: s.adminToken })).body as AlertT;
  }

  it('raises one alert per mount over the line, keeps it through the hysteresis band, resolves it below', async () => {
    await deliver({ '/': 40, '/data': 91 });
    let disk = await alerts(DISK_RULE);
    expect(disk).toHaveLength(1);
    expect(disk[0]).toMatchObject({ status: 'open', severity: 'medium', device: { id: agent.id } });
    expect(disk[0]!.title).toContain('/data');
    const first = await detail(disk[0]!.id);
    expect(first.context).toMatchObject({ mount: '/data', pct: 91, threshold_pct: 90 });

    // Still over, and a second mount joins: the first alert coalesces, the second mount has its own.
    await deliver({ '/': 93, '/data': 92 });
    disk = await alerts(DISK_RULE);
    expect(disk).toHaveLength(2);
    expect(disk.map((a) => a.status)).toEqual(['open', 'open']);
    expect(disk[1]!.title).toContain('Disk / is 93 %');

    // Below the line but within 5 points of it: nothing resolves (no flapping at the line).
    await deliver({ '/': 93, '/data': 86 });
    expect((await alerts(DISK_RULE)).map((a) => a.status)).toEqual(['open', 'open']);

    // 5 points below: resolved by the system, with the reason; the other mount stays open.
    await deliver({ '/': 93, '/data': 84 });
    disk = await alerts(DISK_RULE);
    expect(disk.map((a) => a.status)).toEqual(['resolved', 'open']);
    const resolved = await detail(disk[0]!.id);
    expect(resolved.resolved_by).toBe('system');
    expect(resolved.note).toContain('below 85 %');

    // Over the line again: a new alert (a resolved one is never reopened).
    await deliver({ '/': 93, '/data': 95 });
    disk = await alerts(DISK_RULE);
    expect(disk.map((a) => a.status)).toEqual(['resolved', 'open', 'open']);
    expect(disk.filter((a) => a.title.includes('/data'))).toHaveLength(2);
  });

  it('raises and resolves the memory alert by its own threshold', async () => {
    await deliver({ '/': 10 }, 85);
    let memory = await alerts(MEMORY_RULE);
    expect(memory).toHaveLength(1);
    expect(memory[0]!.status).toBe('open');
    expect(memory[0]!.title).toContain('85 %');
    await deliver({ '/': 10 }, 78);
    expect((await alerts(MEMORY_RULE))[0]!.status).toBe('open');
    await deliver({ '/': 10 }, 60);
    memory = await alerts(MEMORY_RULE);
    expect(memory.map((a) => a.status)).toEqual(['resolved']);
  });

  it('a node that never saw the alert raised (restart, reconnect elsewhere) finds it in the store and resolves it', async () => {
    const open = (await alerts(DISK_RULE)).filter((a) => a.status === 'open');
    expect(open.length).toBeGreaterThan(0);
    const fresh = new MetricThresholds(s.vigil.services, s.vigil.hub, s.vigil.hostMetrics.service.windows, {
      diskPct: 90,
      memoryPct: 0,
    });
    await fresh.evaluate(
      {
        deviceId: agent.id,
        accountId: agent.accountId,
      },
      sample({ '/': 10, '/data': 10 }, 50),
    );
    expect((await alerts(DISK_RULE)).every((a) => a.status === 'resolved')).toBe(true);
  });
});

describe('metric threshold alerts turned off', () => {
  it('raise nothing at 0', async () => {
    const s = await startTestServer('sqlite', { flags: { metricsDiskAlert: '0', metricsMemoryAlert: '0' } });
    try {
      const agent = await enrollRawAgent(s, await createEnrollmentToken(s), testFacts('off-host'));
      const session = await connectRawAgent(s, agent);
      await session.next((m) => m.t === 'auth.ok');
      const id = randomBytes(12).toString('base64url');
      const full = testSample(Date.now() - 1000, 1);
      full.disks = full.disks.map((d) => ({ ...d, pct: 99 }));
      full.memory = { ...full.memory!, pct: 99 };
      session.send({
        t: 'outbox.deliver',
        items: [{ id, kind: 'metrics.sample', at: Date.now(), body: { samples: [full] } }],
      });
      await session.next((m) => m.t === 'outbox.ack' && m.ids.includes(id));
      await s.vigil.hostMetrics.thresholds.idle();
      const r = await s.call('GET', '/api/v1/alerts?rule=metrics.*', { token: s.adminToken });
      expect((r.body as { items: unknown[] }).items).toEqual([]);
      session.ws.close();
    } finally {
      await s.stop();
    }
  });
});
