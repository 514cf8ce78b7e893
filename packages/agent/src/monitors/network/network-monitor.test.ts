/** The network monitor on this machine's real socket tables, with listeners and connections the test opens. */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import type { AlertEventBodyT } from '@vigil/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { MonitorBudget } from '../budget.js';
import { RuleEngine } from '../rules/engine.js';
import { loadRules } from '../rules/load.js';
import { renderRule } from '../rules/render.js';
import type { MonitorEvent } from '../types.js';
import { NetworkMonitor } from './network-monitor.js';

// A scan reads every socket of this host and every process's descriptors: with a fleet benchmark
// or another suite holding thousands of sockets beside it, one scan took seconds (a test 80 s).
describe.skipIf(process.platform !== 'linux')('network monitor', { timeout: 120_000 }, () => {
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

  it('reports an outbound connection to a blocked address with peer, process and user; others not', async () => {
    const clients: Socket[] = [];
    const open = (host: string, port: number) =>
      new Promise<Socket>((resolve, reject) => {
        const c = connect(port, host, () => resolve(c));
        c.on('error', reject);
        clients.push(c);
      });
    const blockedHost = '127.0.0.2';
    const blocked = await listen(blockedHost);
    const allowed = await listen('127.0.0.1');
    const alerts: AlertEventBodyT[] = [];
    const engine = new RuleEngine({ emit: (a) => alerts.push(a), flushMs: () => 60_000 });
    const rule = loadRules().find((r) => r.name === 'Linux.Network.ConnectionToBlockedAddress');
    engine.setRules([renderRule(rule!, { block_list: ['127.0.0.2/32', '192.0.2.0/24'] })]);
    const events: MonitorEvent[] = [];
    const monitor = new NetworkMonitor({
      root: '/',
      budget: new MonitorBudget({ report: () => {}, sample: () => ({ cpuPct: 0, rssBytes: 0 }) }),
      sink: (e) => {
        events.push(e);
        engine.handle(e);
      },
      log: { warn: () => {} },
      intervalMs: 60_000,
      rules: {
        wantsType: (t) => engine.wantsType('network', t),
        mayMatch: (f, u) => engine.mayMatch('network', f, u),
      },
    });
    try {
      // Open before the monitor's first look: reported too, marked at_start.
      const early = await open(blockedHost, blocked);
      await monitor.start();
      monitor.scan();
      const late = await open(blockedHost, blocked);
      await open('127.0.0.1', allowed);
      monitor.scan();
      const ours = events.filter((e) => e.fields.remote_port === blocked);
      expect(ours.map((e) => [e.fields.local_port, e.fields.at_start])).toEqual([
        [early.localPort, true],
        [late.localPort, false],
      ]);
      expect(ours[1]?.fields).toMatchObject({
        type: 'connection_new',
        state: 'established',
        remote_ip: blockedHost,
        pid: process.pid,
        process: 'node',
        user: userInfo().username,
      });
      expect(ours[1]?.summary).toBe(
        `${blockedHost}:${blocked} (node, pid ${process.pid}, user ${userInfo().username})`,
      );
      // The allowed peer's connection never became an event (no process lookup for it either).
      expect(events.filter((e) => e.fields.remote_port === allowed)).toEqual([]);
      // The server side of the connection (its local port listens) is not outbound.
      expect(events.filter((e) => e.fields.local_port === blocked)).toEqual([]);
      const fired = alerts.filter(
        (a) => (a.context.event as { remote_port: number }).remote_port === blocked,
      );
      expect(fired).toHaveLength(1);
      expect(fired[0]).toMatchObject({ rule: 'Linux.Network.ConnectionToBlockedAddress', severity: 'high' });
      expect(fired[0]?.context.peer).toEqual({ ip: blockedHost, port: blocked });
      // Seen once: the next scan reports nothing new.
      const before = events.length;
      monitor.scan();
      expect(events.filter((e) => e.fields.remote_port === blocked).length).toBe(2);
      expect(events.length).toBeGreaterThanOrEqual(before);
    } finally {
      for (const c of clients) c.destroy();
      await monitor.stop();
    }
  });

  it('does not read the connection tables while no rule listens to connections (or none can match)', async () => {
    const engine = new RuleEngine({ emit: () => {}, flushMs: () => 60_000 });
    engine.setRules(
      loadRules()
        .filter((r) => r.name === 'Linux.Network.NewListeningPort')
        .map((r) => renderRule(r)),
    );
    const monitor = new NetworkMonitor({
      root: '/',
      budget: new MonitorBudget({ report: () => {}, sample: () => ({ cpuPct: 0, rssBytes: 0 }) }),
      sink: () => {},
      log: { warn: () => {} },
      intervalMs: 60_000,
      rules: {
        wantsType: (t) => engine.wantsType('network', t),
        mayMatch: (f, u) => engine.mayMatch('network', f, u),
      },
    });
    expect(engine.wantsType('network', 'connection_new')).toBe(false);
    expect(engine.wantsType('network', 'listener_new')).toBe(true);
    // The shipped block-list rule with its default (empty) list cannot match: still not wanted.
    const blockRule = loadRules().find((r) => r.name === 'Linux.Network.ConnectionToBlockedAddress');
    engine.setRules([...engine.rules(), renderRule(blockRule!)]);
    expect(engine.wantsType('network', 'connection_new')).toBe(false);
    engine.setRules([...engine.rules(), renderRule(blockRule!, { block_list: ['192.0.2.1'] })]);
    expect(engine.wantsType('network', 'connection_new')).toBe(true);
    engine.setRules(engine.rules().filter((r) => r.name !== 'Linux.Network.ConnectionToBlockedAddress'));
    await monitor.start();
    expect(monitor.scanConnections()).toBe(0);
    await monitor.stop();
  });

  it('refuses a block list entry that is no address or network when the rule is rendered', () => {
    const rule = loadRules().find((r) => r.name === 'Linux.Network.ConnectionToBlockedAddress');
    expect(() => renderRule(rule!, { block_list: ['203.0.113.0/24', 'evil.example'] })).toThrow(
      /'evil\.example' in the list of 'remote_ip' is not an IP address or CIDR block/,
    );
  });
});
