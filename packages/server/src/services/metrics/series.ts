/**
 * The arithmetic of metrics: a sample flattened into named series (`cpu`, `disk.pct:/data` …),
 * buckets that hold each series' sum, count and maximum, and their merge. Roll-ups are buckets
 * too, so downsampling raw → 1 min → 1 h and re-bucketing for a query are one operation: merging
 * sums, counts and maxima is exact, whatever order the samples arrive in.
 */
import type { MetricSampleT } from '@vigil/protocol';

/** One series in one bucket. */
export interface Aggregate {
  sum: number;
  count: number;
  max: number;
}

/** A time bucket: how many samples fell in it and each series' aggregate. */
export interface Bucket {
  samples: number;
  series: Map<string, Aggregate>;
}

/** Detail series kept in roll-ups besides the summary: per mount, block device and interface. */
const ROLLUP_DETAIL_PREFIXES = ['disk.pct:', 'io.read_bps:', 'io.write_bps:', 'net.rx_bps:', 'net.tx_bps:'];

/** Whether a series is kept in the 1-minute and 1-hour roll-ups (per-core CPU and per-mount bytes stay raw only). */
export function keptInRollups(key: string): boolean {
  return !key.includes(':') || ROLLUP_DETAIL_PREFIXES.some((p) => key.startsWith(p));
}

function put(out: Map<string, number>, key: string, value: number | null | undefined): void {
  if (typeof value === 'number' && Number.isFinite(value)) out.set(key, value);
}

/** Totals over physical devices; over all of them when none is physical (a VM's or container's virtual NIC). */
function physicalTotal<T extends { physical: boolean }>(items: T[], value: (item: T) => number): number {
  const physical = items.filter((i) => i.physical);
  return (physical.length > 0 ? physical : items).reduce((sum, i) => sum + value(i), 0);
}

/** Every series one sample holds, by key (see the series keys in @vigil/protocol api/metrics). */
export function flattenSample(s: MetricSampleT): Map<string, number> {
  const out = new Map<string, number>();
  if (s.cpu) {
    put(out, 'cpu', s.cpu.pct);
    for (const [i, core] of s.cpu.cores.entries()) put(out, `cpu:${i}`, core);
  }
  if (s.memory) {
    put(out, 'mem.pct', s.memory.pct);
    put(out, 'mem.used', s.memory.used);
    put(out, 'mem.total', s.memory.total);
    put(out, 'swap.pct', s.memory.swap_pct);
    put(out, 'swap.used', s.memory.swap_used);
  }
  if (s.load) {
    put(out, 'load.1', s.load.m1);
    put(out, 'load.5', s.load.m5);
    put(out, 'load.15', s.load.m15);
  }
  if (s.disks.length > 0) put(out, 'disk.pct', Math.max(...s.disks.map((d) => d.pct)));
  for (const d of s.disks) {
    put(out, `disk.pct:${d.mount}`, d.pct);
    put(out, `disk.used:${d.mount}`, d.used);
  }
  if (s.disk_io.length > 0) {
    put(
      out,
      'io.read_bps',
      physicalTotal(s.disk_io, (d) => d.read_bps),
    );
    put(
      out,
      'io.write_bps',
      physicalTotal(s.disk_io, (d) => d.write_bps),
    );
  }
  for (const d of s.disk_io) {
    put(out, `io.read_bps:${d.device}`, d.read_bps);
    put(out, `io.write_bps:${d.device}`, d.write_bps);
  }
  const external = s.net.filter((n) => n.interface !== 'lo');
  if (external.length > 0) {
    put(
      out,
      'net.rx_bps',
      physicalTotal(external, (n) => n.rx_bps),
    );
    put(
      out,
      'net.tx_bps',
      physicalTotal(external, (n) => n.tx_bps),
    );
  }
  for (const n of s.net) {
    put(out, `net.rx_bps:${n.interface}`, n.rx_bps);
    put(out, `net.tx_bps:${n.interface}`, n.tx_bps);
  }
  put(out, 'processes', s.processes);
  put(out, 'agent.cpu', s.agent.cpu_pct);
  put(out, 'agent.rss', s.agent.rss);
  return out;
}

/** An empty bucket. */
export function emptyBucket(): Bucket {
  return { samples: 0, series: new Map() };
}

/** Add one sample's series (already flattened) to a bucket. */
export function addSample(
  bucket: Bucket,
  values: Map<string, number>,
  keep: (key: string) => boolean = () => true,
): void {
  bucket.samples += 1;
  for (const [key, value] of values) {
    if (!keep(key)) continue;
    const a = bucket.series.get(key);
    if (a) {
      a.sum += value;
      a.count += 1;
      if (value > a.max) a.max = value;
    } else bucket.series.set(key, { sum: value, count: 1, max: value });
  }
}

/** Merge bucket `from` into `into` (a roll-up into a coarser one, or a finer tier into a query step). */
export function mergeBucket(into: Bucket, from: Bucket): void {
  into.samples += from.samples;
  for (const [key, b] of from.series) {
    const a = into.series.get(key);
    if (a) {
      a.sum += b.sum;
      a.count += b.count;
      if (b.max > a.max) a.max = b.max;
    } else into.series.set(key, { ...b });
  }
}

/** A bucket's series as stored: `{key: [sum, max]}`, with the count third when it differs from `samples`. */
export function encodeSeries(bucket: Bucket): string {
  const out: Record<string, number[]> = {};
  for (const [key, a] of bucket.series) {
    // Six decimals keep sums exact enough for any average while cutting float noise from the JSON.
    const sum = Math.round(a.sum * 1e6) / 1e6;
    out[key] = a.count === bucket.samples ? [sum, a.max] : [sum, a.max, a.count];
  }
  return JSON.stringify(out);
}

/** The inverse of encodeSeries. */
export function decodeBucket(samples: number, series: string): Bucket {
  const bucket: Bucket = { samples, series: new Map() };
  const parsed = JSON.parse(series) as Record<string, number[]>;
  for (const [key, v] of Object.entries(parsed)) {
    bucket.series.set(key, { sum: v[0] ?? 0, max: v[1] ?? 0, count: v[2] ?? samples });
  }
  return bucket;
}

/** The start of the bucket of width `widthMs` that holds `ts`. */
export function bucketStart(ts: number, widthMs: number): number {
  return Math.floor(ts / widthMs) * widthMs;
}

/** Whether a series key matches a request pattern (exact, or a prefix ending in `*`). */
export function matchesPattern(key: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : key === p));
}
