import { readText } from '../fs-helpers.js';
import type { TableContext } from '../types.js';
import { parseStanzas } from './parse-helpers.js';

/** One logical processor's /proc/cpuinfo fields ("model name", "physical id", "core id" …). */
export type CpuinfoEntry = Map<string, string>;

/** Reads /proc/cpuinfo as one map per logical processor; empty (with a warning) when absent. */
export function readCpuinfo(ctx: TableContext): CpuinfoEntry[] {
  const text = readText(ctx, '/proc/cpuinfo');
  if (text === null) {
    ctx.warn('/proc/cpuinfo is not present');
    return [];
  }
  return parseStanzas(text).filter((entry) => entry.has('processor'));
}

/** Distinct sockets (physical id), treating a processor without one as socket "0". */
export function socketsOf(entries: CpuinfoEntry[]): Map<string, CpuinfoEntry[]> {
  const sockets = new Map<string, CpuinfoEntry[]>();
  for (const entry of entries) {
    const id = entry.get('physical id') ?? '0';
    sockets.set(id, [...(sockets.get(id) ?? []), entry]);
  }
  return sockets;
}

/** Distinct physical cores: (physical id, core id) pairs, or one per processor where the kernel gives none. */
export function physicalCoreCount(entries: CpuinfoEntry[]): number {
  const cores = new Set(
    entries.map((e) =>
      e.has('core id') ? `${e.get('physical id') ?? '0'}/${e.get('core id')}` : e.get('processor'),
    ),
  );
  return cores.size;
}
