import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuInfo } from './cpu-info.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('cpu_info', () => {
  it('gives one row per socket with cpufreq maxima', () => {
    const { rows } = collectFixture(cpuInfo, 'cpu_info');
    const socket = {
      model: 'Intel(R) Xeon(R) Gold 6230',
      manufacturer: 'GenuineIntel',
      number_of_cores: '1',
      logical_processors: 2,
      address_width: '64',
      current_clock_speed: 2100,
    };
    expect(rows).toEqual([
      { device_id: '0', ...socket, max_clock_speed: 3600 },
      { device_id: '1', ...socket, max_clock_speed: 3000 },
    ]);
  });

  it('accounts for every logical CPU on this machine', () => {
    const { rows } = collectAt(cpuInfo, '/');
    const logical = rows.reduce((sum, r) => sum + Number(r.logical_processors), 0);
    expect(logical).toBe(cpus().length);
  });
});
