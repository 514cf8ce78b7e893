import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolveIn } from '../fs-helpers.js';
import type { TableContext } from '../types.js';

/** Largest file hashed or read line by line, in bytes. */
export const MAX_SCAN_BYTES = 256 * 1024 * 1024;
const CHUNK = 1024 * 1024;

/**
 * Streams a regular file in 1 MiB chunks (synchronously: virtual tables are synchronous), so
 * memory stays flat however large the file. Non-regular files and files above the limit are
 * skipped with a warning; returns false when the file was not read.
 */
export function streamFile(
  ctx: TableContext,
  path: string,
  onChunk: (chunk: Buffer) => void,
  maxBytes = MAX_SCAN_BYTES,
): boolean {
  let fd: number;
  try {
    fd = openSync(resolveIn(ctx.root, path), 'r');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') ctx.warn(`cannot open ${path}: ${(err as Error).message}`);
    return false;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return false;
    if (st.size > maxBytes) {
      ctx.warn(`skipped ${path}: ${st.size} bytes is above the ${maxBytes}-byte limit`);
      return false;
    }
    const buf = Buffer.allocUnsafe(CHUNK);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        ctx.warn(`stopped reading ${path}: it grew above the ${maxBytes}-byte limit`);
        return false;
      }
      onChunk(buf.subarray(0, n));
    }
    return true;
  } catch (err) {
    ctx.warn(`cannot read ${path}: ${(err as Error).message}`);
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole regular text file within the limit, or null (skipped or unreadable). */
export function readTextBounded(ctx: TableContext, path: string, maxBytes = MAX_SCAN_BYTES): string | null {
  const parts: Buffer[] = [];
  return streamFile(ctx, path, (c) => parts.push(Buffer.from(c)), maxBytes)
    ? Buffer.concat(parts).toString('utf8')
    : null;
}
