import { describe, expect, it } from 'vitest';
import { loadAverage } from './load-average.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('load_average', () => {
  it('gives one row per period from /proc/loadavg', () => {
    const { rows } = collectFixture(loadAverage, 'load_average');
    expect(rows).toEqual([
      { period: '1m', average: '0.52' },
      { period: '5m', average: '0.41' },
      { period: '15m', average: '1.05' },
    ]);
  });

  it('reads three non-negative averages on this machine', () => {
    const { rows } = collectAt(loadAverage, '/');
    expect(rows.map((r) => r.period)).toEqual(['1m', '5m', '15m']);
    for (const row of rows) expect(Number(row.average)).toBeGreaterThanOrEqual(0);
  });
});
