/** Test helper: samples with figures that follow a counter, so every aggregate has a known value. */
import type { MetricSampleT } from '@vigil/protocol';

/** A sample whose figures follow `i`, so every aggregate has a known closed form. */
export function testSample(ts: number, i: number): MetricSampleT {
  return {
    ts,
    interval_s: 1,
    cpu: { pct: i % 100, cores: [i % 100, 100 - (i % 100)] },
    memory: {
      total: 8e9,
      used: 4e9 + i,
      available: 4e9 - i,
      pct: 50,
      swap_total: 0,
      swap_used: 0,
      swap_pct: 0,
    },
    load: { m1: 1, m5: 2, m15: 3 },
    disks: [
      { mount: '/', device: '/dev/vda1', fstype: 'ext4', size: 100, used: 40, available: 60, pct: 40 },
      { mount: '/data', device: '/dev/vdb', fstype: 'xfs', size: 100, used: 91, available: 9, pct: 91 },
    ],
    disk_io: [
      { device: 'vda', read_bps: 100, write_bps: 200, read_iops: 1, write_iops: 2, physical: true },
      { device: 'dm-0', read_bps: 100, write_bps: 200, read_iops: 1, write_iops: 2, physical: false },
    ],
    net: [
      { interface: 'lo', rx_bps: 5000, tx_bps: 5000, rx_pps: 1, tx_pps: 1, physical: false },
      { interface: 'eth0', rx_bps: 1000 + i, tx_bps: 10, rx_pps: 1, tx_pps: 1, physical: true },
      { interface: 'docker0', rx_bps: 1000, tx_bps: 10, rx_pps: 1, tx_pps: 1, physical: false },
    ],
    processes: 100 + i,
    agent: { cpu_pct: 0.5, rss: 50e6 },
  };
}
