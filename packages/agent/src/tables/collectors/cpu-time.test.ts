import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuTime } from './cpu-time.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('cpu_time', () => {
  it('reads the per-core lines of /proc/stat and skips the aggregate', () => {
    const { rows } = collectFixture(cpuTime, 'cpu_time');
    expect(rows).toEqual([
      {
        core: 0,
        user: 100,
        nice: 4,
        system: 80,
        idle: 4500,
        iowait: 20,
        irq: 0,
        softirq: 2,
        steal: 1,
        guest: 0,
        guest_nice: 0,
      },
      {
        core: 1,
        user: 200,
        nice: 6,
        system: 120,
        idle: 4500,
        iowait: 30,
        irq: 0,
        softirq: 3,
        steal: 0,
        guest: 0,
        guest_nice: 0,
      },
    ]);
  });

  it('has one row per online CPU on this machine', () => {
    const { rows } = collectAt(cpuTime, '/');
    expect(rows).toHaveLength(cpus().length);
    expect(Number(rows[0]?.idle)).toBeGreaterThan(0);
  });
});
