/**
 * Old files in temporary directories: listing them (what system.cleanup's dry run shows) and
 * removing exactly that list. The walk never follows symlinks, never leaves the directory's
 * filesystem, skips the agent's protected paths and anything that is not a regular file or a
 * symlink (sockets, FIFOs, devices stay), and is bounded in depth and entries. Before each
 * unlink the entry is checked again — same inode, still old, parent still where it was — so a
 * file swapped in, or a directory replaced by a symlink since the listing, is left alone.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, realpath, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isInside } from '../paths.js';

const MAX_DEPTH = 64;
/** Entries looked at per run, so a directory with millions of files cannot stall the agent. */
export const MAX_ENTRIES_SCANNED = 200_000;

export interface OldFile {
  path: string;
  bytes: number;
  /** Last modification, ISO 8601. */
  modified: string;
  dev: number;
  ino: number;
}

export interface TempScan {
  files: OldFile[];
  /** Whether the walk stopped at MAX_ENTRIES_SCANNED. */
  incomplete: boolean;
  /** Directories that could not be read, with why. */
  unreadable: string[];
}

/** Old enough when neither its contents (mtime) nor its last read (atime) is newer than the cutoff. */
function isOld(stat: Stats, cutoffMs: number): boolean {
  return stat.mtimeMs < cutoffMs && stat.atimeMs < cutoffMs;
}

/** Lists regular files and symlinks under `dirs` older than `cutoffMs`, skipping `protectedPaths`. */
export async function findOldFiles(
  dirs: string[],
  cutoffMs: number,
  protectedPaths: string[],
  signal: AbortSignal,
): Promise<TempScan> {
  const scan: TempScan = { files: [], incomplete: false, unreadable: [] };
  let seen = 0;
  const walk = async (dir: string, dev: number, depth: number): Promise<void> => {
    signal.throwIfAborted();
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (error) {
      scan.unreadable.push(`${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      return;
    }
    for (const name of names) {
      if (++seen > MAX_ENTRIES_SCANNED) {
        scan.incomplete = true;
        return;
      }
      const path = join(dir, name);
      if (protectedPaths.some((p) => isInside(path, p))) continue;
      let stat: Stats;
      try {
        stat = await lstat(path);
      } catch {
        continue;
      }
      if (stat.dev !== dev) continue;
      if (stat.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(path, dev, depth + 1);
        if (scan.incomplete) return;
      } else if ((stat.isFile() || stat.isSymbolicLink()) && isOld(stat, cutoffMs)) {
        scan.files.push({
          path,
          bytes: stat.isFile() ? stat.size : 0,
          modified: new Date(stat.mtimeMs).toISOString(),
          dev: stat.dev,
          ino: stat.ino,
        });
      }
    }
  };
  for (const dir of dirs) {
    const top = await lstat(dir);
    await walk(dir, top.dev, 0);
    if (scan.incomplete) break;
  }
  return scan;
}

/** Removes the listed files, each only if it is still the same old file at the same place. */
export async function removeOldFiles(
  files: OldFile[],
  cutoffMs: number,
  signal: AbortSignal,
): Promise<{ removed: OldFile[]; skipped: { path: string; reason: string }[] }> {
  const removed: OldFile[] = [];
  const skipped: { path: string; reason: string }[] = [];
  for (const file of files) {
    signal.throwIfAborted();
    try {
      // A parent directory swapped for a symlink would make this path land somewhere else.
      if ((await realpath(dirname(file.path))) !== dirname(file.path)) {
        skipped.push({
          path: file.path,
          reason: 'its directory moved or became a symlink since the listing',
        });
        continue;
      }
      const stat = await lstat(file.path);
      if (stat.dev !== file.dev || stat.ino !== file.ino || !isOld(stat, cutoffMs)) {
        skipped.push({ path: file.path, reason: 'it was replaced or used since the listing' });
        continue;
      }
      await unlink(file.path);
      removed.push(file);
    } catch (error) {
      skipped.push({ path: file.path, reason: (error as NodeJS.ErrnoException).code ?? String(error) });
    }
  }
  return { removed, skipped };
}
