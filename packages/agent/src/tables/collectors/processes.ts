import { readLink, readText, statSafe } from '../fs-helpers.js';
import type { Row, TableCollector, TableContext } from '../types.js';
import { bootTime, CLOCK_TICKS, intOrNull, parseColonFile, pidsToRead, readProcStat } from './proc-common.js';

const DELETED = ' (deleted)';

function kilobytes(status: Map<string, string>, key: string): number | null {
  const m = /^(\d+)\s*kB$/.exec(status.get(key) ?? '');
  return m ? Number(m[1]) * 1024 : null;
}

function ids(status: Map<string, string>, key: string): [number | null, number | null, number | null] {
  const parts = (status.get(key) ?? '').split(/\s+/);
  return [intOrNull(parts[0]), intOrNull(parts[1]), intOrNull(parts[2])];
}

function cgroupPath(text: string | null): string | null {
  if (text === null) return null;
  const lines = text.split('\n').filter((l) => l !== '');
  const unified = lines.find((l) => l.startsWith('0::'));
  const line = unified ?? lines[0];
  return line === undefined ? null : line.split(':').slice(2).join(':');
}

function binary(ctx: TableContext, pid: number): { path: string; onDisk: number } {
  const target = readLink(ctx, `/proc/${pid}/exe`);
  if (target === null || target === '') return { path: '', onDisk: -1 };
  if (target.endsWith(DELETED)) return { path: target.slice(0, -DELETED.length), onDisk: 0 };
  const quiet: TableContext = { ...ctx, warn: () => {} };
  return { path: target, onDisk: statSafe(quiet, target) === null ? 0 : 1 };
}

function ioBytes(text: string | null, key: string): number | null {
  const m = text === null ? null : new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

function processRow(ctx: TableContext, pid: number, boot: number | null): Row | null {
  const stat = readProcStat(ctx, pid);
  if (stat === null) return null;
  const f = stat.fields;
  const statusText = readText(ctx, `/proc/${pid}/status`);
  const status = parseColonFile(statusText ?? '');
  const [uid, euid, suid] = ids(status, 'Uid');
  const [gid, egid, sgid] = ids(status, 'Gid');
  const cmdline = readText(ctx, `/proc/${pid}/cmdline`);
  const io = readText(ctx, `/proc/${pid}/io`);
  const utime = intOrNull(f[11]);
  const stime = intOrNull(f[12]);
  const starttime = intOrNull(f[19]);
  const { path, onDisk } = binary(ctx, pid);
  return {
    pid,
    name: stat.comm,
    path,
    cmdline: cmdline === null ? '' : cmdline.replace(/\0+$/, '').replaceAll('\0', ' '),
    state: f[0] ?? null,
    cwd: readLink(ctx, `/proc/${pid}/cwd`) ?? '',
    root: readLink(ctx, `/proc/${pid}/root`) ?? '',
    uid,
    gid,
    euid,
    egid,
    suid,
    sgid,
    on_disk: onDisk,
    wired_size: kilobytes(status, 'VmLck'),
    resident_size: kilobytes(status, 'VmRSS'),
    total_size: kilobytes(status, 'VmSize'),
    user_time: utime === null ? null : (utime * 1000) / CLOCK_TICKS,
    system_time: stime === null ? null : (stime * 1000) / CLOCK_TICKS,
    disk_bytes_read: ioBytes(io, 'read_bytes'),
    disk_bytes_written: ioBytes(io, 'write_bytes'),
    start_time: boot === null || starttime === null ? null : boot + Math.floor(starttime / CLOCK_TICKS),
    parent: intOrNull(f[1]),
    pgroup: intOrNull(f[2]),
    threads: intOrNull(f[17]),
    nice: intOrNull(f[16]),
    cgroup_path: cgroupPath(readText(ctx, `/proc/${pid}/cgroup`)),
  };
}

/** processes: one row per /proc/<pid>, from stat, status, cmdline, exe, cwd, root, io and cgroup. */
export const processes: TableCollector = {
  name: 'processes',
  *collect(ctx) {
    const boot = bootTime(ctx);
    for (const pid of pidsToRead(ctx)) {
      const row = processRow(ctx, pid, boot);
      if (row !== null) yield row;
    }
  },
};
