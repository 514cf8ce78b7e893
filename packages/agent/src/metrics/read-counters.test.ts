import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testContext } from '../tables/test-context.js';
import { computeSample } from './compute-sample.js';
import { PROCESS_SOURCES, type ReadSources, readCounters } from './read-counters.js';

const HOST = fileURLToPath(new URL('./fixtures/host', import.meta.url));

function fixedSources(at: number, mono: number, cpuMicros: number): ReadSources {
  return { now: () => at, mono: () => mono, self: () => ({ cpuMicros, rss: 50_000_000 }) };
}

describe('readCounters on a fixture /proc tree', () => {
  it('reads cores, memory, load, local disks, whole-disk I/O, interfaces and processes', () => {
    const { ctx, warnings } = testContext(HOST);
    const r = readCounters(ctx, fixedSources(1_700_000_000_000, 0, 0), 32);
    expect(r.cores).toEqual([
      { busy: 1500, total: 10000 },
      { busy: 2500, total: 9500 },
    ]);
    expect(r.memory).toEqual({
      total: 8_000_000 * 1024,
      available: 6_000_000 * 1024,
      swapTotal: 2_000_000 * 1024,
      swapFree: 1_500_000 * 1024,
    });
    expect(r.load).toEqual({ m1: 1.5, m5: 0.75, m15: 0.25 });
    // proc, tmpfs, NFS and another container's overlay are left out; the bind mount of vda1 is shown once.
    expect(r.disks.map((d) => [d.mount, d.device, d.fstype])).toEqual([
      ['/', '/dev/vda1', 'ext4'],
      ['/data', '/dev/mapper/data', 'xfs'],
      ['/media/usb disk', '/dev/sdb1', 'vfat'],
    ]);
    for (const d of r.disks) {
      expect(d.size).toBeGreaterThan(0);
      expect(d.used + d.available).toBeLessThanOrEqual(d.size);
    }
    expect(warnings.some((w) => w.includes('cannot statfs /missing'))).toBe(true);
    // Partitions (vda1) and loop devices are not counted; dm-0 is listed but not physical.
    expect([...r.diskIo.entries()]).toEqual([
      ['vda', { reads: 1000, writes: 500, readBytes: 20000 * 512, writeBytes: 10000 * 512, physical: true }],
      ['dm-0', { reads: 100, writes: 50, readBytes: 2000 * 512, writeBytes: 1000 * 512, physical: false }],
    ]);
    expect(Object.fromEntries(r.net)).toEqual({
      lo: { rxBytes: 1000, txBytes: 1000, rxPackets: 10, txPackets: 10, physical: false },
      eth0: { rxBytes: 100000, txBytes: 50000, rxPackets: 100, txPackets: 50, physical: true },
    });
    expect(r.processes).toBe(3);
  });

  it('gives nulls and warnings, not an exception, on an empty root', () => {
    const { ctx, warnings } = testContext(fileURLToPath(new URL('./fixtures/host/srv', import.meta.url)));
    const r = readCounters(ctx, fixedSources(1, 0, 0), 32);
    expect(r).toMatchObject({ cores: null, memory: null, load: null, disks: [], processes: null });
    expect(r.diskIo.size).toBe(0);
    expect(r.net.size).toBe(0);
    expect(warnings).toEqual(
      expect.arrayContaining([
        '/proc/stat is not present',
        '/proc/meminfo is not present',
        '/proc/mounts is not readable',
        '/proc/net/dev is not readable',
      ]),
    );
  });
});

describe('readCounters on this machine', () => {
  it('reads real figures that agree with what Node reports', async () => {
    const { ctx } = testContext('/');
    const before = readCounters(ctx, PROCESS_SOURCES, 32);
    // Some CPU work of our own, so the agent's own CPU figure has something to measure.
    const end = Date.now() + 150;
    while (Date.now() < end) Math.sqrt(Math.random());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = readCounters(ctx, PROCESS_SOURCES, 32);
    const s = computeSample(before, after, 32);

    expect(after.memory?.total).toBe(totalmem());
    expect(s.cpu?.cores.length).toBe(after.cores?.length);
    expect(s.cpu?.pct).toBeGreaterThanOrEqual(0);
    expect(s.cpu?.pct).toBeLessThanOrEqual(100);
    expect(s.memory?.used).toBeGreaterThan(0);
    expect(s.load?.m1).toBeGreaterThanOrEqual(0);
    expect(s.processes).toBeGreaterThan(1);
    expect(after.net.has('lo')).toBe(true);
    expect(s.interval_s).toBeGreaterThan(0.2);
    expect(s.agent.cpu_pct).toBeGreaterThan(0);
    expect(s.agent.rss).toBe(after.self.rss);
    for (const d of s.disks) expect(d.pct).toBeGreaterThanOrEqual(0);
  });
});
