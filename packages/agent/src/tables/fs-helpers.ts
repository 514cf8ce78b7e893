import {
  closeSync,
  type Dirent,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';
import { join, posix } from 'node:path';
import type { TableContext } from './types.js';

/** Errors that mean "the thing is not there" (a process that exited mid-read is not a problem). */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ESRCH']);

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
}

/** Why an operation failed, without the error code prefix ("permission denied, read"). */
export function errorReason(err: unknown): string {
  return err instanceof Error ? err.message.replace(/^[A-Z]+: /, '') : String(err);
}

function report(ctx: TableContext, action: string, absPath: string, err: unknown): void {
  if (ABSENT.has(errorCode(err))) return;
  ctx.warn(`cannot ${action} ${absPath}: ${errorReason(err)}`);
}

/**
 * Whether posix.resolve would return the path unchanged: absolute, without `.`/`..` segments,
 * empty segments or a trailing slash. The collectors build thousands of such /proc paths per
 * query, and skipping the full normalisation for them is measurable.
 */
function isNormalAbsolute(path: string): boolean {
  return (
    path.charCodeAt(0) === 47 /* / */ &&
    !path.includes('/.') &&
    !path.includes('//') &&
    (path.length === 1 || path.charCodeAt(path.length - 1) !== 47)
  );
}

/** Maps an absolute host path into the context root; `..` can never climb above the root. */
export function resolveIn(root: string, absPath: string): string {
  const normal = isNormalAbsolute(absPath) ? absPath : posix.resolve('/', absPath);
  return root === '/' ? normal : join(root, normal);
}

/** Options for readFileSync, built once: a string would be copied into a new object on every call. */
const UTF8 = { encoding: 'utf8', flag: 'r' } as const;

/** Reads a file as UTF-8; null when absent (silently) or unreadable (with a warning). */
export function readText(ctx: TableContext, absPath: string): string | null {
  try {
    // The 'utf8' form opens, reads and decodes in one native call, without the Buffer
    // round-trip of readBytes: three times cheaper on the many small /proc files.
    return readFileSync(resolveIn(ctx.root, absPath), UTF8);
  } catch (err) {
    report(ctx, 'read', absPath, err);
    return null;
  }
}

/**
 * Reads a file in growing chunks and stops as soon as `enough(textSoFar)` is true: for kernel
 * tables whose cost grows with how far they are read (/proc/net/tcp walks the whole connection
 * hash table, however empty, to reach its end). When it stops early the text is cut after its
 * last complete line. Null when absent (silently) or unreadable (with a warning).
 */
export function readTextUntil(
  ctx: TableContext,
  absPath: string,
  enough: (text: string) => boolean,
  firstChunk = 4096,
): string | null {
  let fd: number;
  try {
    fd = openSync(resolveIn(ctx.root, absPath), 'r');
  } catch (err) {
    report(ctx, 'read', absPath, err);
    return null;
  }
  try {
    let buffer = Buffer.allocUnsafe(firstChunk);
    let length = 0;
    for (;;) {
      // Doubling the request keeps the re-decoding below linear in the size read.
      if (buffer.length - length < firstChunk) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) return buffer.toString('utf8', 0, length);
      length += n;
      const text = buffer.toString('utf8', 0, length);
      if (enough(text)) return text.slice(0, text.lastIndexOf('\n') + 1);
    }
  } catch (err) {
    report(ctx, 'read', absPath, err);
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Reads a file's bytes; null when absent (silently) or unreadable (with a warning). */
export function readBytes(ctx: TableContext, absPath: string): Buffer | null {
  try {
    return readFileSync(resolveIn(ctx.root, absPath));
  } catch (err) {
    report(ctx, 'read', absPath, err);
    return null;
  }
}

/** Lists a directory's entry names, sorted; empty when absent, with a warning when unreadable. */
export function listDir(ctx: TableContext, absPath: string): string[] {
  try {
    // Names only: no Dirent per entry. The default sort compares UTF-16 code units, the same
    // order listEntries gives.
    return readdirSync(resolveIn(ctx.root, absPath)).sort();
  } catch (err) {
    report(ctx, 'list', absPath, err);
    return [];
  }
}

/** Lists a directory's entries (with their types), sorted by name; empty when absent or unreadable. */
export function listEntries(ctx: TableContext, absPath: string): Dirent[] {
  try {
    return readdirSync(resolveIn(ctx.root, absPath), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch (err) {
    report(ctx, 'list', absPath, err);
    return [];
  }
}

/** Stats a path (following symlinks unless `follow` is false); null when absent or unreadable. */
export function statSafe(ctx: TableContext, absPath: string, follow = true): Stats | null {
  try {
    const full = resolveIn(ctx.root, absPath);
    return follow ? statSync(full) : lstatSync(full);
  } catch (err) {
    report(ctx, 'stat', absPath, err);
    return null;
  }
}

/** Reads a symlink's target as the kernel reports it; null when absent or unreadable. */
export function readLink(ctx: TableContext, absPath: string): string | null {
  try {
    return readlinkSync(resolveIn(ctx.root, absPath));
  } catch (err) {
    report(ctx, 'read link', absPath, err);
    return null;
  }
}

/**
 * Reads a symlink's target, or returns why it could not (absent or not): for callers that
 * decide per error, such as skipping the rest of a process's descriptors after a refusal.
 */
export function readLinkOrError(ctx: TableContext, absPath: string): string | NodeJS.ErrnoException {
  try {
    return readlinkSync(resolveIn(ctx.root, absPath));
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
}

/** Whether an error from a read means the thing is simply not there (no warning is due). */
export function isAbsent(err: unknown): boolean {
  return ABSENT.has(errorCode(err));
}

/** Whether a path exists inside the root (no warning either way). */
export function existsIn(ctx: TableContext, absPath: string): boolean {
  try {
    lstatSync(resolveIn(ctx.root, absPath));
    return true;
  } catch {
    return false;
  }
}
