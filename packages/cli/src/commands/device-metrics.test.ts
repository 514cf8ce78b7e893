import type { LatestMetricsResponseT, MetricsSeriesResponseT } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { formatBytes, metricsDetails, overall } from './device-metrics.js';

const window: MetricsSeriesResponseT = {
  device_id: 'dev-1',
  resolution: '1m',
  step_s: 60,
  from: '2024-05-01T10:00:00.000Z',
  to: '2024-05-01T10:03:00.000Z',
  t: [0, 60_000, 120_000],
  samples: [1, 3, 0],
  series: {
    cpu: { avg: [10, 50, null], max: [10, 90, null] },
    'mem.pct': { avg: [40, 40, null], max: [41, 42, null] },
  },
};

const latest: LatestMetricsResponseT = {
  device_id: 'dev-1',
  sampled_at: '2024-05-01T10:02:50.000Z',
  sample: {
    ts: Date.parse('2024-05-01T10:02:50.000Z'),
    interval_s: 60,
    cpu: { pct: 12.5, cores: [10.2, 14.8] },
    memory: {
      total: 8 * 1024 ** 3,
      used: 2 * 1024 ** 3,
      available: 6 * 1024 ** 3,
      pct: 25,
      swap_total: 0,
      swap_used: 0,
      swap_pct: 0,
    },
    load: { m1: 0.5, m5: 0.4, m15: 0.3 },
    disks: [
      {
        mount: '/',
        device: '/dev/vda1',
        fstype: 'ext4',
        size: 50 * 1024 ** 3,
        used: 1,
        available: 1,
        pct: 50,
      },
    ],
    disk_io: [{ device: 'vda', read_bps: 1536, write_bps: 0, read_iops: 1, write_iops: 0, physical: true }],
    net: [
      { interface: 'lo', rx_bps: 9, tx_bps: 9, rx_pps: 1, tx_pps: 1, physical: false },
      { interface: 'eth0', rx_bps: 2048, tx_bps: 100, rx_pps: 1, tx_pps: 1, physical: true },
    ],
    processes: 123,
    agent: { cpu_pct: 0.4, rss: 48 * 1024 ** 2 },
  },
};

describe('vigil devices metrics rendering', () => {
  it('formats bytes with binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.0 GiB');
  });

  it('weights bucket means by their samples and takes the highest peak', () => {
    expect(overall(window, 'cpu')).toEqual({ avg: 40, max: 90 });
    expect(overall(window, 'disk.pct')).toEqual({ avg: null, max: null });
  });

  it('prints the latest figures and the window summary', () => {
    // Labels are padded to one column; compare with single spaces after each label.
    const text = metricsDetails(latest, window, '1h', Date.parse('2024-05-01T10:03:00.000Z')).replace(
      /^([A-Za-z/ 0-9]+:) +/gm,
      '$1 ',
    );
    expect(text).toContain('Sampled: 2024-05-01 10:02:50Z (10 s ago)');
    expect(text).toContain('CPU: 12.5 % over 2 core(s): 10 15');
    expect(text).toContain('Memory: 2.0 GiB of 8.0 GiB (25.0 %); swap 0 B of 0 B');
    expect(text).toContain('Disks: / 50.0 % of 50.0 GiB');
    expect(text).toContain('Disk I/O: vda read 1.5 KiB/s write 0 B/s');
    expect(text).toContain('Network: eth0 in 2.0 KiB/s out 100 B/s');
    expect(text).not.toContain('lo in');
    expect(text).toContain('Last 1h: CPU avg 40.0 % max 90.0 %; memory avg 40.0 % max 42.0 %');
    expect(text).toContain('(4 samples, 1m)');
  });
});
