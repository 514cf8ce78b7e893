/** The network monitor on this machine's real socket tables, with listeners the test opens. */
import { createServer, type Server } from 'node:net';
import type { AlertEventBodyT } from '@vigil/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { MonitorBudget } from '../budget.js';
import { RuleEngine } from '../rules/engine.js';
import { loadRules } from '../rules/load.js';
import { renderRule } from '../rules/render.js';
import type { MonitorEvent } from '../types.js';
import { NetworkMonitor } from './network-monitor.js';

describe.skipIf(process.platform !== 'linux')('network monitor', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  async function listen(host: string): Promise<number> {
    const s = createServer();
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, host, r));
    return (s.address() as { port: number }).port;
  }

  it('reports a new listener once, with its process, and marks one on all interfaces', async () => {
    const events: MonitorEvent[] = [];
    const alerts: AlertEventBodyT[] = [];
    const engine = new RuleEngine({ emit: (a) => alerts.push(a), flushMs: () => 60_000 });
    engine.setRules(
      loadRules()
        .filter((r) => r.monitor === 'network')
        .map((r) => renderRule(r)),
    );
    const budget = new MonitorBudget({ report: () => {}, sample: () => ({ cpuPct: 0, rssBytes: 0 }) });
    const monitor = new NetworkMonitor({
      root: '/',
      budget,
      sink: (e) => {
        events.push(e);
        engine.handle(e);
      },
      log: { warn: () => {} },
      intervalMs: 60_000,
    });
    await monitor.start();
    try {
      const local = await listen('127.0.0.1');
      const exposed = await listen('0.0.0.0');
      monitor.scan();
      const mine = (port: number) => events.filter((e) => e.fields.port === port);
      expect(mine(local)).toHaveLength(1);
      expect(mine(local)[0]?.fields).toMatchObject({
        type: 'listener_new',
        protocol: 'tcp',
        address: '127.0.0.1',
        all_interfaces: false,
        pid: process.pid,
      });
      expect(mine(exposed)[0]?.fields).toMatchObject({
        address: '0.0.0.0',
        all_interfaces: true,
        pid: process.pid,
      });
      expect(mine(exposed)[0]?.summary).toMatch(
        new RegExp(`^tcp 0\\.0\\.0\\.0:${exposed} \\(node, pid ${process.pid}\\)$`),
      );
      // The shipped rules: a loopback-only listener is no alert, one on all interfaces is two.
      const fired = (port: number) =>
        alerts
          .filter((a) => (a.context.event as { port: number }).port === port)
          .map((a) => a.rule)
          .sort();
      expect(fired(local)).toEqual([]);
      expect(fired(exposed)).toEqual([
        'Linux.Network.ListenerOnAllInterfaces',
        'Linux.Network.NewListeningPort',
      ]);
      const before = events.length;
      monitor.scan();
      expect(events.filter((e) => e.fields.port === local || e.fields.port === exposed)).toHaveLength(2);
      expect(events.length).toBeGreaterThanOrEqual(before);
    } finally {
      await monitor.stop();
    }
  });
});
