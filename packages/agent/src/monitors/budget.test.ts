/**
 * The shared budget: over its CPU or memory limit the monitors shed load — events sampled, repeats
 * flushed less often, no hashes of large files, no diffs, slower scans — and say so when it starts
 * and when it ends; a real flood of file changes on a shedding budget is processed only in part
 * and the rest is counted, not queued.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertEventBodyT } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { type BudgetSample, MonitorBudget, processSampler } from './budget.js';
import { FileMonitor } from './files/file-monitor.js';
import type { MonitorEvent } from './types.js';

describe('monitor budget', () => {
  it('sheds load over the CPU limit, reports it, and recovers after two calm measurements', () => {
    let sample: BudgetSample = { cpuPct: 1, rssBytes: 50e6 };
    const reports: AlertEventBodyT[] = [];
    let now = 0;
    const b = new MonitorBudget({
      report: (r) => reports.push(r),
      sample: () => sample,
      limits: { sheddingEventsPerSecond: 3 },
      now: () => now,
    });
    b.measure();
    expect(b.shedding).toBe(false);
    expect([b.flushMs(), b.diffLimitBytes(), b.scanIntervalMs(1000)]).toEqual([2000, 256 * 1024, 1000]);
    sample = { cpuPct: 37.5, rssBytes: 50e6 };
    b.measure();
    expect(b.shedding).toBe(true);
    expect([b.flushMs(), b.diffLimitBytes(), b.scanIntervalMs(1000)]).toEqual([30_000, 0, 5000]);
    expect(b.hashLimitBytes()).toBe(1024 * 1024);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      rule: 'agent.monitor_shedding',
      severity: 'low',
      key: 'budget',
      count: 1,
    });
    expect(reports[0]?.title).toBe(
      'Agent monitors shedding load: agent CPU 37.5 % of one core is over the 5 % budget',
    );
    const admitted = Array.from({ length: 10 }, () => b.admit()).filter(Boolean).length;
    expect(admitted).toBe(3);
    b.note('hashes_skipped');
    sample = { cpuPct: 2, rssBytes: 50e6 };
    b.measure();
    expect(b.shedding).toBe(true);
    now += 10_000;
    b.measure();
    expect(b.shedding).toBe(false);
    expect(reports).toHaveLength(2);
    expect(reports[1]?.context).toMatchObject({
      phase: 'ended',
      shed: { events_dropped: 7, hashes_skipped: 1, diffs_skipped: 0 },
    });
  });

  it('reports a paused directory once an hour, the next report counting the pauses since', () => {
    const reports: AlertEventBodyT[] = [];
    let now = 1_000_000;
    const b = new MonitorBudget({
      report: (r) => reports.push(r),
      sample: () => ({ cpuPct: 0, rssBytes: 0 }),
      now: () => now,
    });
    b.watchPaused('/etc/cron.d', 30_000);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      rule: 'agent.monitor_watch_paused',
      severity: 'low',
      key: '/etc/cron.d',
      count: 1,
      window_s: 3600,
      context: { dir: '/etc/cron.d', pause_ms: 30_000, events_per_second_admitted: 2000, shedding: false },
    });
    for (let i = 0; i < 5; i++) {
      now += 30_000;
      b.watchPaused('/etc/cron.d', 30_000);
    }
    b.watchPaused('/etc/ssh', 30_000);
    expect(reports.map((r) => r.key)).toEqual(['/etc/cron.d', '/etc/ssh']);
    expect(b.shed().watches_paused).toBe(7);
    now += 3_600_000;
    b.watchPaused('/etc/cron.d', 30_000);
    expect(reports).toHaveLength(3);
    expect(reports[2]).toMatchObject({ key: '/etc/cron.d', count: 6 });
  });

  it('sheds over the memory limit too, and measures this process for real', () => {
    const reports: AlertEventBodyT[] = [];
    const b = new MonitorBudget({
      report: (r) => reports.push(r),
      sample: () => ({ cpuPct: 0, rssBytes: 600 * 1048576 }),
    });
    b.measure();
    expect(b.shedding).toBe(true);
    expect(reports[0]?.title).toMatch(/agent memory 600 MiB is over the 256 MiB budget/);
    const real = processSampler();
    let x = 0;
    for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
    const s = real();
    expect(x).toBeGreaterThan(0);
    expect(s.cpuPct).toBeGreaterThan(0);
    expect(s.rssBytes).toBeGreaterThan(10e6);
  });

  it('processes only a sample of a real flood of file changes while shedding, and counts the rest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-flood-'));
    mkdirSync(join(root, 'etc/cron.d'), { recursive: true });
    const budget = new MonitorBudget({
      report: () => {},
      sample: () => ({ cpuPct: 99, rssBytes: 0 }),
      limits: { sheddingEventsPerSecond: 50 },
    });
    budget.measure();
    const events: MonitorEvent[] = [];
    const monitor = new FileMonitor({
      root,
      entries: [{ path: '/etc/cron.d', category: 'cron', type: 'dir', depth: 0 }],
      budget,
      sink: (e) => events.push(e),
      log: { warn: () => {} },
    });
    await monitor.start();
    try {
      for (let i = 0; i < 2000; i++)
        writeFileSync(join(root, 'etc/cron.d', `job${i}`), `* * * * * root /bin/true ${i}\n`);
      const end = Date.now() + 15_000;
      while (
        Date.now() < end &&
        budget.shed().watches_paused === 0 &&
        events.length + budget.shed().events_dropped < 2000
      )
        await new Promise((r) => setTimeout(r, 50));
      await monitor.idle();
      const elapsedS = Math.max(1, (Date.now() - (end - 15_000)) / 1000);
      expect(events.length).toBeGreaterThan(0);
      expect(events.length).toBeLessThanOrEqual(50 * Math.ceil(elapsedS + 1));
      // Beyond dropping events, the flooding directory's watch was paused: the kernel stops waking the agent.
      expect(budget.shed().events_dropped + budget.shed().watches_paused).toBeGreaterThan(0);
      expect(budget.shed().watches_paused).toBeGreaterThanOrEqual(1);
      // While shedding no diff is made.
      expect(events.every((e) => (e.context.file as { diff?: string }).diff === undefined)).toBe(true);
    } finally {
      await monitor.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
