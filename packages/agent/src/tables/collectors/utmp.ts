import { readBytes } from '../fs-helpers.js';
import type { TableContext } from '../types.js';

/** One glibc `struct utmp` record (384 bytes on 32- and 64-bit Linux). */
export interface UtmpRecord {
  type: number;
  pid: number;
  line: string;
  user: string;
  host: string;
  time: number;
}

/** Size of one record in utmp/wtmp files written by glibc on Linux. */
export const UTMP_RECORD_SIZE = 384;

/** Record types from <utmp.h>. */
export const UT = { EMPTY: 0, RUN_LVL: 1, BOOT_TIME: 2, USER_PROCESS: 7, DEAD_PROCESS: 8 } as const;

function cString(buf: Buffer, start: number, length: number): string {
  const slice = buf.subarray(start, start + length);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul === -1 ? length : nul).toString('utf8');
}

/** Parses utmp/wtmp bytes; a trailing partial record is reported as a warning. */
export function parseUtmp(buf: Buffer, warn: (m: string) => void): UtmpRecord[] {
  const records: UtmpRecord[] = [];
  const whole = Math.floor(buf.length / UTMP_RECORD_SIZE);
  if (buf.length % UTMP_RECORD_SIZE !== 0)
    warn(`ignored ${buf.length % UTMP_RECORD_SIZE} trailing bytes (partial record)`);
  for (let i = 0; i < whole; i++) {
    const o = i * UTMP_RECORD_SIZE;
    records.push({
      type: buf.readInt16LE(o),
      pid: buf.readInt32LE(o + 4),
      line: cString(buf, o + 8, 32),
      user: cString(buf, o + 44, 32),
      host: cString(buf, o + 76, 256),
      time: buf.readInt32LE(o + 340),
    });
  }
  return records;
}

/** Reads the first of the given utmp-format files that exists, or warns that none does. */
export function readUtmpFile(ctx: TableContext, paths: string[]): UtmpRecord[] {
  for (const path of paths) {
    const buf = readBytes(ctx, path);
    if (buf !== null) return parseUtmp(buf, (m) => ctx.warn(`${path}: ${m}`));
  }
  ctx.warn(`${paths.join(' or ')} not present`);
  return [];
}

/** Encodes a record (for fixtures and tests): the inverse of parseUtmp. */
export function encodeUtmp(record: UtmpRecord): Buffer {
  const buf = Buffer.alloc(UTMP_RECORD_SIZE);
  buf.writeInt16LE(record.type, 0);
  buf.writeInt32LE(record.pid, 4);
  buf.write(record.line, 8, 32, 'utf8');
  buf.write(record.user, 44, 32, 'utf8');
  buf.write(record.host, 76, 256, 'utf8');
  buf.writeInt32LE(record.time, 340);
  return buf;
}
