import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { memoryInfo } from './memory-info.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('memory_info', () => {
  it('converts /proc/meminfo KiB figures to bytes', () => {
    const { rows } = collectFixture(memoryInfo, 'memory_info');
    expect(rows).toEqual([
      {
        memory_total: 2_048_000_000,
        memory_free: 512_000_000,
        memory_available: 1_228_800_000,
        buffers: 10_240_000,
        cached: 614_400_000,
        swap_cached: 4096,
        active: 716_800_000,
        inactive: 307_200_000,
        swap_total: 1_073_737_728,
        swap_free: 1_073_152_000,
      },
    ]);
  });

  it('reports the same total memory as the kernel gives Node on this machine', () => {
    const { rows } = collectAt(memoryInfo, '/');
    expect(rows[0]?.memory_total).toBe(totalmem());
  });
});
