/**
 * One reading of the host's counters and gauges, straight from /proc, /sys and statfs(2) under an
 * injectable root. CPU, memory, load and process figures come from the table collectors (the
 * same parsers the SQL tables use); /proc/diskstats and /proc/net/dev have no table, so they are
 * parsed here. Rates need two readings: see compute-sample.ts.
 */
import { statfsSync } from 'node:fs';
import type { MetricSampleT } from '@vigil/protocol';
import { cpuTime } from '../tables/collectors/cpu-time.js';
import { loadAverage } from '../tables/collectors/load-average.js';
import { memoryInfo } from '../tables/collectors/memory-info.js';
import { unescapeMountField } from '../tables/collectors/mounts.js';
import { fields, toFloat, toInt } from '../tables/collectors/parse-helpers.js';
import { pidsToRead } from '../tables/collectors/proc-common.js';
import { existsIn, listDir, readText, resolveIn } from '../tables/fs-helpers.js';
import type { Row, TableContext } from '../tables/types.js';

/** Space on one mounted filesystem, without the percentage (computed with the sample). */
export type DiskSpace = Omit<MetricSampleT['disks'][number], 'pct'>;

/** Tick counters of one CPU core from /proc/stat. */
export interface CoreTicks {
  busy: number;
  total: number;
}

/** Cumulative I/O counters of one block device from /proc/diskstats. */
export interface DiskCounters {
  reads: number;
  writes: number;
  readBytes: number;
  writeBytes: number;
  /** Backed by hardware (has a `device` link in sysfs): counted in the totals; dm/md are not, to avoid counting twice. */
  physical: boolean;
}

/** Cumulative counters of one network interface from /proc/net/dev. */
export interface NetCounters {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  /** Backed by hardware (has a `device` link in /sys/class/net). */
  physical: boolean;
}

/** Memory figures in bytes. */
export interface MemoryReading {
  total: number;
  available: number;
  swapTotal: number;
  swapFree: number;
}

/** Everything one reading holds; null where the host did not say. */
export interface CounterReading {
  /** Wall clock, ms since the epoch: the sample's timestamp. */
  at: number;
  /** Monotonic clock, ms: intervals are measured with it, so a clock step cannot make a rate negative. */
  mono: number;
  cores: CoreTicks[] | null;
  memory: MemoryReading | null;
  load: { m1: number; m5: number; m15: number } | null;
  disks: Array<DiskSpace>;
  diskIo: Map<string, DiskCounters>;
  net: Map<string, NetCounters>;
  processes: number | null;
  /** The agent's own CPU time (user + system, µs) and resident memory (bytes). */
  self: { cpuMicros: number; rss: number };
}

/** What a reading needs besides the root: clocks and the agent's own usage (injectable for tests). */
export interface ReadSources {
  now(): number;
  mono(): number;
  self(): { cpuMicros: number; rss: number };
}

/** The real clocks and this process's own usage. */
export const PROCESS_SOURCES: ReadSources = {
  now: () => Date.now(),
  mono: () => performance.now(),
  self: () => {
    const u = process.cpuUsage();
    return { cpuMicros: u.user + u.system, rss: process.memoryUsage.rss() };
  },
};

/** Sectors in /proc/diskstats are always 512 bytes, whatever the device's block size. */
const SECTOR_BYTES = 512;

/** Filesystems that live on the network or in memory: never statfs'ed (a dead NFS server would hang the call). */
const NOT_LOCAL_DISK = /^(nfs4?|cifs|smb3?|smbfs|ceph|glusterfs|9p|afs|sshfs|fuse\..*|davfs|tmpfs|ramfs)$/;

/** Pseudo block devices whose I/O is not disk I/O. */
const VIRTUAL_BLOCK = /^(loop|ram|zram)\d+$/;

function collectRows(collector: { collect(ctx: TableContext): Iterable<Row> }, ctx: TableContext): Row[] {
  return [...collector.collect(ctx)];
}

function num(value: unknown): number | null {
  return typeof value === 'number' ? value : typeof value === 'string' ? toFloat(value) : null;
}

/** Per-core busy/total ticks from the cpu_time table (guest time is already inside user time). */
export function readCores(ctx: TableContext): CoreTicks[] | null {
  const rows = collectRows(cpuTime, ctx);
  if (rows.length === 0) return null;
  return rows.map((r) => {
    const v = (c: string) => num(r[c]) ?? 0;
    const idle = v('idle') + v('iowait');
    const busy = v('user') + v('nice') + v('system') + v('irq') + v('softirq') + v('steal');
    return { busy, total: busy + idle };
  });
}

/** Memory and swap from the memory_info table; MemAvailable falls back to free + buffers + cached on old kernels. */
export function readMemory(ctx: TableContext): MemoryReading | null {
  const row = collectRows(memoryInfo, ctx)[0];
  const total = num(row?.memory_total);
  if (!row || total === null) return null;
  const available =
    num(row.memory_available) ??
    (num(row.memory_free) ?? 0) + (num(row.buffers) ?? 0) + (num(row.cached) ?? 0);
  return {
    total,
    available: Math.min(available, total),
    swapTotal: num(row.swap_total) ?? 0,
    swapFree: num(row.swap_free) ?? 0,
  };
}

/** The three load averages from the load_average table. */
export function readLoad(ctx: TableContext): { m1: number; m5: number; m15: number } | null {
  const by = new Map(collectRows(loadAverage, ctx).map((r) => [r.period, num(r.average)]));
  const m1 = by.get('1m');
  const m5 = by.get('5m');
  const m15 = by.get('15m');
  if (m1 == null || m5 == null || m15 == null) return null;
  return { m1, m5, m15 };
}

/**
 * Space on local disk filesystems: /proc/mounts lines whose source is a block device (or a ZFS
 * dataset, or the overlay root of a container), one per device (a bind mount repeats its device;
 * df shows it once), statfs'ed under the root. /proc/mounts is split with the mounts table's
 * helpers, but statfs is called only on the mounts kept, never on network filesystems.
 */
export function readDisks(ctx: TableContext, limit: number): Array<DiskSpace> {
  const text = readText(ctx, '/proc/mounts');
  if (text === null) {
    ctx.warn('/proc/mounts is not readable');
    return [];
  }
  const out: Array<DiskSpace> = [];
  const devices = new Set<string>();
  for (const line of text.split('\n')) {
    if (out.length >= limit) break;
    const f = fields(line);
    if (f.length < 3) continue;
    const device = unescapeMountField(f[0] ?? '');
    const mount = unescapeMountField(f[1] ?? '');
    const fstype = f[2] ?? '';
    if (NOT_LOCAL_DISK.test(fstype)) continue;
    // A container's root is an overlay; elsewhere overlays are other containers' roots, not this host's disks.
    const local = device.startsWith('/dev/') || fstype === 'zfs' || (fstype === 'overlay' && mount === '/');
    if (!local) continue;
    if (devices.has(device)) continue;
    try {
      const s = statfsSync(resolveIn(ctx.root, mount));
      const size = s.blocks * s.bsize;
      if (size <= 0) continue;
      devices.add(device);
      out.push({
        mount: mount.slice(0, 256),
        device: device.slice(0, 256),
        fstype: fstype.slice(0, 32),
        size,
        used: (s.blocks - s.bfree) * s.bsize,
        available: s.bavail * s.bsize,
      });
    } catch (err) {
      ctx.warn(`cannot statfs ${mount}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}

/** Cumulative I/O of the whole disks listed in /sys/block (partitions would count twice), from /proc/diskstats. */
export function readDiskIo(ctx: TableContext): Map<string, DiskCounters> {
  const out = new Map<string, DiskCounters>();
  const disks = new Set(listDir(ctx, '/sys/block').filter((name) => !VIRTUAL_BLOCK.test(name)));
  if (disks.size === 0) return out;
  const text = readText(ctx, '/proc/diskstats');
  if (text === null) {
    ctx.warn('/proc/diskstats is not readable');
    return out;
  }
  for (const line of text.split('\n')) {
    const f = fields(line);
    const name = f[2];
    if (name === undefined || !disks.has(name)) continue;
    const reads = toInt(f[3]);
    const sectorsRead = toInt(f[5]);
    const writes = toInt(f[7]);
    const sectorsWritten = toInt(f[9]);
    if (reads === null || sectorsRead === null || writes === null || sectorsWritten === null) continue;
    out.set(name, {
      reads,
      writes,
      readBytes: sectorsRead * SECTOR_BYTES,
      writeBytes: sectorsWritten * SECTOR_BYTES,
      physical: existsIn(ctx, `/sys/block/${name}/device`),
    });
  }
  return out;
}

/** Cumulative traffic per interface from /proc/net/dev (receive columns first, then transmit). */
export function readNet(ctx: TableContext): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  const text = readText(ctx, '/proc/net/dev');
  if (text === null) {
    ctx.warn('/proc/net/dev is not readable');
    return out;
  }
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const f = fields(line.slice(colon + 1));
    const rxBytes = toInt(f[0]);
    const rxPackets = toInt(f[1]);
    const txBytes = toInt(f[8]);
    const txPackets = toInt(f[9]);
    if (name === '' || rxBytes === null || rxPackets === null || txBytes === null || txPackets === null)
      continue;
    out.set(name, {
      rxBytes,
      txBytes,
      rxPackets,
      txPackets,
      physical: existsIn(ctx, `/sys/class/net/${name}/device`),
    });
  }
  return out;
}

/** How many processes exist (numeric entries of /proc); null when /proc lists none. */
export function readProcessCount(ctx: TableContext): number | null {
  const n = pidsToRead(ctx).length;
  return n === 0 ? null : n;
}

/** Take one reading of everything a sample needs. */
export function readCounters(ctx: TableContext, sources: ReadSources, entityLimit: number): CounterReading {
  return {
    at: sources.now(),
    mono: sources.mono(),
    cores: readCores(ctx),
    memory: readMemory(ctx),
    load: readLoad(ctx),
    disks: readDisks(ctx, entityLimit),
    diskIo: readDiskIo(ctx),
    net: readNet(ctx),
    processes: readProcessCount(ctx),
    self: sources.self(),
  };
}
