import { listDir, readText } from '../fs-helpers.js';
import type { TableContext } from '../types.js';

/** Kernel clock ticks per second (USER_HZ): 100 on every mainstream Linux architecture. */
export const CLOCK_TICKS = 100;

/** The pids to read: those the query names in `column` hints, else every numeric entry of /proc. */
export function pidsToRead(ctx: TableContext, column = 'pid'): number[] {
  const wanted = ctx.hints.equals.get(column);
  if (wanted !== undefined) {
    return [...new Set(wanted.map((v) => Number(v)).filter((n) => Number.isInteger(n) && n > 0))].sort(
      (a, b) => a - b,
    );
  }
  return listDir(ctx, '/proc')
    .filter((name) => /^[0-9]+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

/** /proc/<pid>/stat split into the command name and the fields after it (fields[0] is the state). */
export function readProcStat(ctx: TableContext, pid: number): { comm: string; fields: string[] } | null {
  const text = readText(ctx, `/proc/${pid}/stat`);
  if (text === null) return null;
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close < open) {
    ctx.warn(`cannot parse /proc/${pid}/stat`);
    return null;
  }
  return {
    comm: text.slice(open + 1, close),
    fields: text
      .slice(close + 2)
      .trim()
      .split(/\s+/),
  };
}

/** Key/value lines such as /proc/<pid>/status ("Uid:\t0\t0\t0\t0"). */
export function parseColonFile(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) map.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return map;
}

/** The boot time in seconds since the epoch (/proc/stat btime), or null. */
export function bootTime(ctx: TableContext): number | null {
  const text = readText(ctx, '/proc/stat');
  const m = text === null ? null : /^btime\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** The inode in a namespace link such as "net:[4026531840]", or null. */
export function namespaceInode(link: string | null): string | null {
  const m = link === null ? null : /\[(\d+)\]$/.exec(link);
  return m ? (m[1] as string) : null;
}

/** An integer from text, or null when it is not one. */
export function intOrNull(text: string | undefined): number | null {
  if (text === undefined || !/^-?\d+$/.test(text)) return null;
  return Number(text);
}
