import type { MetricSampleT } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { appendSample, columnsFromSeries, emptyColumns, MAX_POINTS } from './metrics-series.js';

const sample = (ts: number, cpu: number | null): MetricSampleT => ({
  ts,
  interval_s: 1,
  cpu: cpu === null ? null : { pct: cpu, cores: [cpu] },
  memory: { total: 100, used: 40, available: 60, pct: 40, swap_total: 0, swap_used: 0, swap_pct: 0 },
  load: { m1: 0.5, m5: 0.4, m15: 0.3 },
  disks: [],
  disk_io: [],
  net: [],
  processes: 10,
  agent: { cpu_pct: 1, rss: 1000 },
});

describe('live metrics chart columns', () => {
  it('appends samples in time order, in seconds, with null where a figure is missing', () => {
    let c = appendSample(emptyColumns(), sample(1_000, 10));
    c = appendSample(c, sample(2_000, null));
    expect(c).toEqual({ t: [1, 2], cpu: [10, null], mem: [40, 40], load: [0.5, 0.5] });
    expect(appendSample(c, sample(2_000, 99))).toBe(c);
    expect(appendSample(c, sample(1_500, 99))).toBe(c);
  });

  it('keeps at most ten minutes of points', () => {
    let c = emptyColumns();
    for (let i = 1; i <= MAX_POINTS + 5; i++) c = appendSample(c, sample(i * 1000, i));
    expect(c.t).toHaveLength(MAX_POINTS);
    expect(c.t[0]).toBe(6);
    expect(c.cpu.at(-1)).toBe(MAX_POINTS + 5);
  });

  it('reads bucket means from a series answer, null for series it does not carry', () => {
    const c = columnsFromSeries({
      device_id: 'd',
      resolution: 'raw',
      step_s: 1,
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T00:00:02.000Z',
      t: [1_000, 2_000],
      samples: [1, 1],
      series: { cpu: { avg: [5, 6], max: [5, 7] }, 'mem.pct': { avg: [30, null], max: [30, null] } },
    });
    expect(c).toEqual({ t: [1, 2], cpu: [5, 6], mem: [30, null], load: [null, null] });
  });
});
