import { describe, expect, it } from 'vitest';
import {
  addSample,
  type Bucket,
  bucketStart,
  decodeBucket,
  emptyBucket,
  encodeSeries,
  flattenSample,
  keptInRollups,
  matchesPattern,
  mergeBucket,
} from './series.js';
import { testSample } from './test-samples.js';

describe('flattenSample', () => {
  it('names every figure and totals physical devices only', () => {
    const f = flattenSample(testSample(0, 7));
    expect(Object.fromEntries(f)).toEqual({
      cpu: 7,
      'cpu:0': 7,
      'cpu:1': 93,
      'mem.pct': 50,
      'mem.used': 4e9 + 7,
      'mem.total': 8e9,
      'swap.pct': 0,
      'swap.used': 0,
      'load.1': 1,
      'load.5': 2,
      'load.15': 3,
      'disk.pct': 91,
      'disk.pct:/': 40,
      'disk.pct:/data': 91,
      'disk.used:/': 40,
      'disk.used:/data': 91,
      // dm-0 sits on vda: counting it too would double the total.
      'io.read_bps': 100,
      'io.write_bps': 200,
      'io.read_bps:vda': 100,
      'io.write_bps:vda': 200,
      'io.read_bps:dm-0': 100,
      'io.write_bps:dm-0': 200,
      // lo and the docker bridge are left out of the total.
      'net.rx_bps': 1007,
      'net.tx_bps': 10,
      'net.rx_bps:lo': 5000,
      'net.tx_bps:lo': 5000,
      'net.rx_bps:eth0': 1007,
      'net.tx_bps:eth0': 10,
      'net.rx_bps:docker0': 1000,
      'net.tx_bps:docker0': 10,
      processes: 107,
      'agent.cpu': 0.5,
      'agent.rss': 50e6,
    });
  });

  it('totals every non-loopback interface when none is physical (a VM or container NIC)', () => {
    const s = testSample(0, 0);
    s.net = s.net.map((n) => ({ ...n, physical: false }));
    expect(flattenSample(s).get('net.rx_bps')).toBe(2000);
  });

  it('leaves out what the host did not report', () => {
    const s = { ...testSample(0, 0), cpu: null, memory: null, load: null, processes: null, disks: [] };
    const keys = [...flattenSample(s).keys()];
    expect(keys.some((k) => k.startsWith('cpu') || k.startsWith('mem') || k.startsWith('disk.'))).toBe(false);
    expect(keys).not.toContain('processes');
  });
});

describe('downsampling', () => {
  it('gives the same 1-hour figures through 1-minute roll-ups as straight from 3600 samples', () => {
    const hour = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000);
    const direct = emptyBucket();
    const minutes = new Map<number, Bucket>();
    for (let i = 0; i < 3600; i++) {
      const ts = hour + i * 1000;
      const values = flattenSample(testSample(ts, i));
      addSample(direct, values, keptInRollups);
      const start = bucketStart(ts, 60_000);
      if (!minutes.has(start)) minutes.set(start, emptyBucket());
      addSample(minutes.get(start) as Bucket, values, keptInRollups);
    }
    expect(minutes.size).toBe(60);
    // Each minute goes through storage (encode/decode) before it is merged, as in the real tiers.
    const viaMinutes = emptyBucket();
    for (const m of minutes.values()) mergeBucket(viaMinutes, decodeBucket(m.samples, encodeSeries(m)));
    expect(viaMinutes.samples).toBe(3600);
    expect([...viaMinutes.series.keys()].sort()).toEqual([...direct.series.keys()].sort());
    for (const [key, a] of direct.series) {
      const b = viaMinutes.series.get(key);
      expect(b?.count, key).toBe(a.count);
      expect(b?.max, key).toBe(a.max);
      expect(b?.sum, key).toBeCloseTo(a.sum, 3);
    }
    // cpu cycles 0..99 evenly over the hour: mean 49.5, max 99. processes: 100..3699, mean 1899.5.
    const cpu = viaMinutes.series.get('cpu');
    expect((cpu?.sum ?? 0) / (cpu?.count ?? 1)).toBeCloseTo(49.5, 6);
    expect(cpu?.max).toBe(99);
    const procs = viaMinutes.series.get('processes');
    expect((procs?.sum ?? 0) / (procs?.count ?? 1)).toBeCloseTo(1899.5, 6);
    expect(procs?.max).toBe(3699);
  });

  it('keeps per-core CPU and per-mount bytes out of the roll-ups, and summary and per-entity rates in', () => {
    expect(keptInRollups('cpu')).toBe(true);
    expect(keptInRollups('cpu:3')).toBe(false);
    expect(keptInRollups('disk.used:/')).toBe(false);
    expect(keptInRollups('disk.pct:/')).toBe(true);
    expect(keptInRollups('net.rx_bps:eth0')).toBe(true);
    expect(keptInRollups('io.write_bps:vda')).toBe(true);
  });

  it('stores a count only where a series missed samples, and reads it back', () => {
    const b = emptyBucket();
    addSample(
      b,
      new Map([
        ['cpu', 10],
        ['load.1', 1],
      ]),
    );
    addSample(b, new Map([['cpu', 30]]));
    const text = encodeSeries(b);
    expect(JSON.parse(text)).toEqual({ cpu: [40, 30], 'load.1': [1, 1, 1] });
    const back = decodeBucket(b.samples, text);
    expect(back.series.get('cpu')).toEqual({ sum: 40, count: 2, max: 30 });
    expect(back.series.get('load.1')).toEqual({ sum: 1, count: 1, max: 1 });
  });

  it('aligns buckets to the epoch and matches series patterns', () => {
    expect(bucketStart(125_000, 60_000)).toBe(120_000);
    expect(bucketStart(3_599_999, 3_600_000)).toBe(0);
    expect(matchesPattern('disk.pct:/data', ['disk.pct:*'])).toBe(true);
    expect(matchesPattern('disk.pct', ['disk.pct:*'])).toBe(false);
    expect(matchesPattern('cpu', ['mem.pct', 'cpu'])).toBe(true);
  });
});
