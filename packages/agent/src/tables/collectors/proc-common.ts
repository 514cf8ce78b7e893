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
  const rest = text.slice(close + 2).trim();
  // The kernel separates the fields with single spaces; splitting on one is several times
  // cheaper than on /\s+/, which stays as the fallback for anything else.
  const fields = rest.split(' ');
  return { comm: text.slice(open + 1, close), fields: fields.includes('') ? rest.split(/\s+/) : fields };
}

/**
 * The value of one "Key:\tvalue" line of a file such as /proc/<pid>/status, trimmed; undefined
 * when the key is absent. A direct search instead of a map of all ~55 lines: a processes query
 * needs five of them, for every process.
 */
export function colonField(text: string, key: string): string | undefined {
  const needle = `\n${key}:`;
  const at = text.indexOf(needle);
  let start: number;
  if (at !== -1) start = at + needle.length;
  else if (text.startsWith(`${key}:`)) start = key.length + 1;
  else return undefined;
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end).trim();
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
