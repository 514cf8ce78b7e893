import { usesAny } from '../column-usage.js';
import { readLink, readText, statSafe } from '../fs-helpers.js';
import type { Row, TableCollector, TableContext } from '../types.js';
import { bootTime, CLOCK_TICKS, colonField, intOrNull, pidsToRead, readProcStat } from './proc-common.js';

const DELETED = ' (deleted)';
/** PF_KTHREAD in the flags field of /proc/<pid>/stat: the task is a kernel thread. */
const PF_KTHREAD = 0x00200000;
/** Index of the flags field in readProcStat's fields (fields[0] is the state). */
const FLAGS_FIELD = 6;

/**
 * Which per-process sources the query's columns need. stat is always read (a row exists when it
 * does), so the columns from it are always filled, except start_time, which also needs the
 * boot time from /proc/stat.
 */
interface Sources {
  startTime: boolean;
  status: boolean;
  cmdline: boolean;
  io: boolean;
  exe: boolean;
  cwd: boolean;
  root: boolean;
  cgroup: boolean;
}

function sourcesFor(ctx: TableContext): Sources {
  return {
    startTime: usesAny(ctx, 'start_time'),
    status: usesAny(
      ctx,
      'uid',
      'gid',
      'euid',
      'egid',
      'suid',
      'sgid',
      'wired_size',
      'resident_size',
      'total_size',
    ),
    cmdline: usesAny(ctx, 'cmdline'),
    io: usesAny(ctx, 'disk_bytes_read', 'disk_bytes_written'),
    exe: usesAny(ctx, 'path', 'on_disk'),
    cwd: usesAny(ctx, 'cwd'),
    root: usesAny(ctx, 'root'),
    cgroup: usesAny(ctx, 'cgroup_path'),
  };
}

function kilobytes(status: string, key: string): number | null {
  const m = /^(\d+)\s*kB$/.exec(colonField(status, key) ?? '');
  return m ? Number(m[1]) * 1024 : null;
}

function ids(status: string, key: string): [number | null, number | null, number | null] {
  const parts = (colonField(status, key) ?? '').split(/\s+/);
  return [intOrNull(parts[0]), intOrNull(parts[1]), intOrNull(parts[2])];
}

function cgroupPath(text: string | null): string | null {
  if (text === null) return null;
  const lines = text.split('\n').filter((l) => l !== '');
  const unified = lines.find((l) => l.startsWith('0::'));
  const line = unified ?? lines[0];
  return line === undefined ? null : line.split(':').slice(2).join(':');
}

/** State shared by the rows of one collection: a quiet context and the executables already checked. */
interface Scan {
  quiet: TableContext;
  onDisk: Map<string, number>;
}

function binary(ctx: TableContext, scan: Scan, pid: number): { path: string; onDisk: number } {
  const target = readLink(ctx, `/proc/${pid}/exe`);
  if (target === null || target === '') return { path: '', onDisk: -1 };
  if (target.endsWith(DELETED)) return { path: target.slice(0, -DELETED.length), onDisk: 0 };
  // Many processes run the same binary; one stat per path per query answers for all of them.
  let onDisk = scan.onDisk.get(target);
  if (onDisk === undefined) {
    onDisk = statSafe(scan.quiet, target) === null ? 0 : 1;
    scan.onDisk.set(target, onDisk);
  }
  return { path: target, onDisk };
}

function ioBytes(text: string | null, key: string): number | null {
  const m = text === null ? null : /^(\d+)/.exec(colonField(text, key) ?? '');
  return m ? Number(m[1]) : null;
}

function processRow(
  ctx: TableContext,
  pid: number,
  need: Sources,
  boot: number | null,
  scan: Scan,
): Row | null {
  const stat = readProcStat(ctx, pid);
  if (stat === null) return null;
  const f = stat.fields;
  const utime = intOrNull(f[11]);
  const stime = intOrNull(f[12]);
  const row: Row = {
    pid,
    name: stat.comm,
    state: f[0] ?? null,
    user_time: utime === null ? null : (utime * 1000) / CLOCK_TICKS,
    system_time: stime === null ? null : (stime * 1000) / CLOCK_TICKS,
    parent: intOrNull(f[1]),
    pgroup: intOrNull(f[2]),
    threads: intOrNull(f[17]),
    nice: intOrNull(f[16]),
  };
  if (need.startTime) {
    const starttime = intOrNull(f[19]);
    row.start_time = boot === null || starttime === null ? null : boot + Math.floor(starttime / CLOCK_TICKS);
  }
  if (need.status) {
    const status = readText(ctx, `/proc/${pid}/status`) ?? '';
    [row.uid, row.euid, row.suid] = ids(status, 'Uid');
    [row.gid, row.egid, row.sgid] = ids(status, 'Gid');
    row.wired_size = kilobytes(status, 'VmLck');
    row.resident_size = kilobytes(status, 'VmRSS');
    row.total_size = kilobytes(status, 'VmSize');
  }
  // The kernel gives a kernel thread neither an exe link nor a command line (it has no memory
  // map to hold them): asking would only cost a failed readlink and an empty read each.
  const flags = intOrNull(f[FLAGS_FIELD]);
  const kthread = flags !== null && (flags & PF_KTHREAD) !== 0;
  if (need.cmdline) {
    const cmdline = kthread ? null : readText(ctx, `/proc/${pid}/cmdline`);
    row.cmdline = cmdline === null ? '' : cmdline.replace(/\0+$/, '').replaceAll('\0', ' ');
  }
  if (need.io) {
    const io = readText(ctx, `/proc/${pid}/io`);
    row.disk_bytes_read = ioBytes(io, 'read_bytes');
    row.disk_bytes_written = ioBytes(io, 'write_bytes');
  }
  if (need.exe) {
    const { path, onDisk } = kthread ? { path: '', onDisk: -1 } : binary(ctx, scan, pid);
    row.path = path;
    row.on_disk = onDisk;
  }
  if (need.cwd) row.cwd = readLink(ctx, `/proc/${pid}/cwd`) ?? '';
  if (need.root) row.root = readLink(ctx, `/proc/${pid}/root`) ?? '';
  if (need.cgroup) row.cgroup_path = cgroupPath(readText(ctx, `/proc/${pid}/cgroup`));
  return row;
}

/**
 * processes: one row per /proc/<pid>, from stat, status, cmdline, exe, cwd, root, io and cgroup —
 * each read only when the query uses a column that comes from it.
 */
export const processes: TableCollector = {
  name: 'processes',
  *collect(ctx) {
    const need = sourcesFor(ctx);
    const boot = need.startTime ? bootTime(ctx) : null;
    const scan: Scan = { quiet: { ...ctx, warn: () => {} }, onDisk: new Map() };
    for (const pid of pidsToRead(ctx)) {
      const row = processRow(ctx, pid, need, boot, scan);
      if (row !== null) yield row;
    }
  },
};
