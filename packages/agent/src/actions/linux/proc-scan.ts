/**
 * The live processes as the process actions need them, read from /proc with the table
 * collectors' parsers: pid, parent, name, executable, owner, start time and whether it is a
 * kernel thread. A process that vanishes while it is read is simply left out.
 */

import { colonField, readProcStat } from '../../tables/collectors/proc-common.js';
import { listDir, readLink, readText } from '../../tables/fs-helpers.js';
import type { TableContext } from '../../tables/types.js';

/** One process. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The kernel's name for it (`comm`, at most 15 characters). */
  name: string;
  /** The executable path, without a trailing " (deleted)"; empty for kernel threads. */
  exe: string;
  /** Whether the executable was deleted after the process started. */
  exeDeleted: boolean;
  /** Real user id. */
  uid: number;
  /** Effective user id. */
  euid: number;
  /** Start time in clock ticks after boot: with the pid, identifies the process across pid reuse. */
  startTime: number;
  state: string;
  kernelThread: boolean;
}

/** PF_KTHREAD in /proc/<pid>/stat flags. */
const PF_KTHREAD = 0x00200000;

function tableContext(root: string): TableContext {
  return { root, warn: () => {}, hints: { equals: new Map(), like: new Map() }, now: () => new Date() };
}

/** One process by pid, or null when there is none. */
export function readProcess(pid: number, root = '/'): ProcessInfo | null {
  const ctx = tableContext(root);
  const stat = readProcStat(ctx, pid);
  if (!stat) return null;
  const status = readText(ctx, `/proc/${pid}/status`) ?? '';
  const [uid, euid] = (colonField(status, 'Uid') ?? '').split(/\s+/).map(Number);
  const flags = Number(stat.fields[6]);
  const link = readLink(ctx, `/proc/${pid}/exe`) ?? '';
  const exeDeleted = link.endsWith(' (deleted)');
  return {
    pid,
    ppid: Number(stat.fields[1]),
    name: stat.comm,
    exe: exeDeleted ? link.slice(0, -' (deleted)'.length) : link,
    exeDeleted,
    uid: uid ?? -1,
    euid: euid ?? -1,
    startTime: Number(stat.fields[19]),
    state: stat.fields[0] ?? '?',
    kernelThread: (flags & PF_KTHREAD) !== 0 || (pid !== 1 && Number(stat.fields[1]) === 2) || pid === 2,
  };
}

/** Every process now running. */
export function listProcesses(root = '/'): ProcessInfo[] {
  const ctx = tableContext(root);
  return listDir(ctx, '/proc')
    .filter((name) => /^[0-9]+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b)
    .map((pid) => readProcess(pid, root))
    .filter((p): p is ProcessInfo => p !== null);
}

/** The pids from `pid` up to pid 1 (bounded, in case /proc changes under us). */
export function ancestors(pid: number, root = '/'): number[] {
  const out: number[] = [];
  let current = readProcess(pid, root)?.ppid ?? 0;
  for (let i = 0; i < 64 && current > 0; i++) {
    out.push(current);
    current = readProcess(current, root)?.ppid ?? 0;
  }
  return out;
}

/** Whether the process is gone (absent, a zombie, or a new process under the same pid). */
export function isGone(p: Pick<ProcessInfo, 'pid' | 'startTime'>, root = '/'): boolean {
  const now = readProcess(p.pid, root);
  return now === null || now.state === 'Z' || now.state === 'X' || now.startTime !== p.startTime;
}
