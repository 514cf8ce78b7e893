import {
  type Dirent,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
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

function report(ctx: TableContext, action: string, absPath: string, err: unknown): void {
  if (ABSENT.has(errorCode(err))) return;
  const reason = err instanceof Error ? err.message.replace(/^[A-Z]+: /, '') : String(err);
  ctx.warn(`cannot ${action} ${absPath}: ${reason}`);
}

/** Maps an absolute host path into the context root; `..` can never climb above the root. */
export function resolveIn(root: string, absPath: string): string {
  const normal = posix.resolve('/', absPath);
  return root === '/' ? normal : join(root, normal);
}

/** Reads a file as UTF-8; null when absent (silently) or unreadable (with a warning). */
export function readText(ctx: TableContext, absPath: string): string | null {
  const bytes = readBytes(ctx, absPath);
  return bytes === null ? null : bytes.toString('utf8');
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
  return listEntries(ctx, absPath).map((entry) => entry.name);
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

/** Whether a path exists inside the root (no warning either way). */
export function existsIn(ctx: TableContext, absPath: string): boolean {
  try {
    lstatSync(resolveIn(ctx.root, absPath));
    return true;
  } catch {
    return false;
  }
}
