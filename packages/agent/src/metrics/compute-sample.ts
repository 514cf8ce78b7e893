/**
 * Turns two counter readings into one sample: CPU percentages from tick deltas, byte and operation
 * rates from counter deltas over the monotonic interval, gauges (memory, load, disk space,
 * processes) from the newer reading. A counter that went backwards (a device re-created, a
 * counter reset) gives 0 for that interval rather than a negative or absurd rate.
 */
import type { MetricSampleT } from '@vigil/protocol';
import type { CoreTicks, CounterReading } from './read-counters.js';

/** Percent with two decimals, clamped to 0–100. */
export function pct(part: number, whole: number): number {
  if (!(whole > 0)) return 0;
  return Math.round(Math.min(100, Math.max(0, (part / whole) * 100)) * 100) / 100;
}

function delta(now: number, before: number): number {
  return now >= before ? now - before : 0;
}

function rate(now: number, before: number, seconds: number): number {
  return seconds > 0 ? Math.round(delta(now, before) / seconds) : 0;
}

function cpuFigures(prev: CoreTicks[] | null, cur: CoreTicks[] | null): MetricSampleT['cpu'] {
  if (!prev || !cur) return null;
  const cores: number[] = [];
  let busy = 0;
  let total = 0;
  for (const [i, now] of cur.entries()) {
    const before = prev[i];
    if (!before) continue;
    const b = delta(now.busy, before.busy);
    const t = delta(now.total, before.total);
    cores.push(pct(b, t));
    busy += b;
    total += t;
  }
  if (cores.length === 0) return null;
  return { pct: pct(busy, total), cores: cores.slice(0, 1024) };
}

/** The sample for the interval between two readings (`prev` older than `cur`). */
export function computeSample(prev: CounterReading, cur: CounterReading, entityLimit: number): MetricSampleT {
  const seconds = Math.max(0, (cur.mono - prev.mono) / 1000);
  const mem = cur.memory;
  const diskIo: MetricSampleT['disk_io'] = [];
  for (const [device, now] of cur.diskIo) {
    const before = prev.diskIo.get(device);
    if (!before || diskIo.length >= entityLimit) continue;
    diskIo.push({
      device,
      read_bps: rate(now.readBytes, before.readBytes, seconds),
      write_bps: rate(now.writeBytes, before.writeBytes, seconds),
      read_iops: rate(now.reads, before.reads, seconds),
      write_iops: rate(now.writes, before.writes, seconds),
      physical: now.physical,
    });
  }
  const net: MetricSampleT['net'] = [];
  for (const [iface, now] of cur.net) {
    const before = prev.net.get(iface);
    if (!before || net.length >= entityLimit) continue;
    net.push({
      interface: iface.slice(0, 32),
      rx_bps: rate(now.rxBytes, before.rxBytes, seconds),
      tx_bps: rate(now.txBytes, before.txBytes, seconds),
      rx_pps: rate(now.rxPackets, before.rxPackets, seconds),
      tx_pps: rate(now.txPackets, before.txPackets, seconds),
      physical: now.physical,
    });
  }
  const selfCpuMicros = delta(cur.self.cpuMicros, prev.self.cpuMicros);
  return {
    ts: cur.at,
    interval_s: Math.round(seconds * 1000) / 1000,
    cpu: cpuFigures(prev.cores, cur.cores),
    memory: mem
      ? {
          total: mem.total,
          used: mem.total - mem.available,
          available: mem.available,
          pct: pct(mem.total - mem.available, mem.total),
          swap_total: mem.swapTotal,
          swap_used: Math.max(0, mem.swapTotal - mem.swapFree),
          swap_pct: pct(mem.swapTotal - mem.swapFree, mem.swapTotal),
        }
      : null,
    load: cur.load,
    // df's figure: used over what an unprivileged user could have (reserved blocks left out).
    disks: cur.disks.map((d) => ({ ...d, pct: pct(d.used, d.used + d.available) })),
    disk_io: diskIo,
    net,
    processes: cur.processes,
    agent: {
      cpu_pct: seconds > 0 ? Math.round((selfCpuMicros / (seconds * 1e6)) * 10_000) / 100 : 0,
      rss: cur.self.rss,
    },
  };
}
