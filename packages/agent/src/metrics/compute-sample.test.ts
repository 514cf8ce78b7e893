import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { testContext } from '../tables/test-context.js';
import { computeSample, pct } from './compute-sample.js';
import { type CounterReading, readCounters } from './read-counters.js';

const HOST = fileURLToPath(new URL('./fixtures/host', import.meta.url));
const HOST_T1 = fileURLToPath(new URL('./fixtures/host-t1', import.meta.url));
const roots: string[] = [];

/** The fixture host ten seconds later: counters from host-t1 laid over the host tree. */
function laterRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'vigil-metrics-'));
  roots.push(root);
  cpSync(HOST, root, { recursive: true });
  cpSync(HOST_T1, root, { recursive: true });
  return root;
}

function reading(root: string, at: number, mono: number, cpuMicros: number): CounterReading {
  return readCounters(
    testContext(root).ctx,
    { now: () => at, mono: () => mono, self: () => ({ cpuMicros, rss: 52_428_800 }) },
    32,
  );
}

afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe('computeSample', () => {
  it('turns two readings ten seconds apart into percentages and rates', () => {
    const t0 = reading(HOST, 1_700_000_000_000, 5_000, 1_000_000);
    const t1 = reading(laterRoot(), 1_700_000_010_000, 15_000, 1_500_000);
    const s = computeSample(t0, t1, 32);
    const { disks, ...rest } = s;
    expect(rest).toEqual({
      ts: 1_700_000_010_000,
      interval_s: 10,
      // core 0: 800 busy of 1000 ticks; core 1: 100 of 1000; together 900 of 2000.
      cpu: { pct: 45, cores: [80, 10] },
      memory: {
        total: 8_192_000_000,
        used: 2_048_000_000,
        available: 6_144_000_000,
        pct: 25,
        swap_total: 2_048_000_000,
        swap_used: 512_000_000,
        swap_pct: 25,
      },
      load: { m1: 1.5, m5: 0.75, m15: 0.25 },
      disk_io: [
        // vda: 100 reads and 20480 sectors (10 MiB) read, 200 writes and 10 MiB written in 10 s.
        {
          device: 'vda',
          read_bps: 1_048_576,
          write_bps: 1_048_576,
          read_iops: 10,
          write_iops: 20,
          physical: true,
        },
        { device: 'dm-0', read_bps: 51_200, write_bps: 0, read_iops: 5, write_iops: 0, physical: false },
      ],
      // wlan0 appeared between the readings: no rate until it has a baseline.
      net: [
        { interface: 'lo', rx_bps: 1000, tx_bps: 1000, rx_pps: 1, tx_pps: 1, physical: false },
        { interface: 'eth0', rx_bps: 100_000, tx_bps: 20_000, rx_pps: 100, tx_pps: 20, physical: true },
      ],
      processes: 3,
      // 0.5 s of CPU in 10 s.
      agent: { cpu_pct: 5, rss: 52_428_800 },
    });
    expect(disks.map((d) => d.mount)).toEqual(['/', '/data', '/media/usb disk']);
    for (const d of disks) expect(d.pct).toBe(pct(d.used, d.used + d.available));
  });

  it('reports 0, never a negative rate, when a counter went backwards', () => {
    const t1 = reading(laterRoot(), 1_700_000_010_000, 15_000, 1_500_000);
    const t0 = reading(HOST, 1_700_000_020_000, 25_000, 2_000_000);
    const s = computeSample(t1, t0, 32);
    expect(s.cpu).toEqual({ pct: 0, cores: [0, 0] });
    for (const d of s.disk_io)
      expect([d.read_bps, d.write_bps, d.read_iops, d.write_iops]).toEqual([0, 0, 0, 0]);
    for (const n of s.net) expect([n.rx_bps, n.tx_bps]).toEqual([0, 0]);
  });

  it('limits the entities per sample', () => {
    const t0 = reading(HOST, 1, 0, 0);
    const t1 = reading(laterRoot(), 2, 1000, 0);
    const s = computeSample(t0, t1, 1);
    expect(s.disk_io.map((d) => d.device)).toEqual(['vda']);
    expect(s.net.map((n) => n.interface)).toEqual(['lo']);
  });

  it('rounds percentages to two decimals and clamps them', () => {
    expect(pct(1, 3)).toBe(33.33);
    expect(pct(5, 0)).toBe(0);
    expect(pct(7, 5)).toBe(100);
  });
});
