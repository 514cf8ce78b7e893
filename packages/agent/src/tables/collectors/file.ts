import type { Stats } from 'node:fs';
import { posix } from 'node:path';
import { readLink, statSafe } from '../fs-helpers.js';
import { pathsFromHints } from '../path-patterns.js';
import type { Row, TableCollector, TableContext } from '../types.js';

function fileType(s: Stats): string {
  if (s.isFile()) return 'regular';
  if (s.isDirectory()) return 'directory';
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isCharacterDevice()) return 'character';
  if (s.isBlockDevice()) return 'block';
  if (s.isFIFO()) return 'fifo';
  if (s.isSocket()) return 'socket';
  return 'unknown';
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** Builds the file row for one path (lstat, so a symlink describes itself), or null when it vanished. */
export function fileRow(ctx: TableContext, path: string): Row | null {
  const s = statSafe(ctx, path, false);
  if (s === null) return null;
  const isLink = s.isSymbolicLink();
  let target = '';
  if (isLink) {
    const link = readLink(ctx, path) ?? '';
    target = link === '' ? '' : posix.resolve(posix.dirname(path), link);
  }
  return {
    path,
    directory: posix.dirname(path),
    filename: posix.basename(path),
    inode: s.ino,
    uid: s.uid,
    gid: s.gid,
    mode: (s.mode & 0o7777).toString(8).padStart(4, '0'),
    device: s.rdev,
    size: s.size,
    block_size: s.blksize,
    atime: seconds(s.atimeMs),
    mtime: seconds(s.mtimeMs),
    ctime: seconds(s.ctimeMs),
    btime: s.birthtimeMs > 0 ? seconds(s.birthtimeMs) : 0,
    hard_links: s.nlink,
    symlink: isLink ? 1 : 0,
    type: fileType(s),
    symlink_target_path: target,
    attributes: '',
    volume_serial: '',
    file_id: '',
    file_version: '',
    product_version: '',
    original_filename: '',
    shortcut_target_path: '',
    shortcut_target_type: '',
    shortcut_target_location: '',
    shortcut_start_in: '',
    shortcut_run: '',
    shortcut_comment: '',
    bsd_flags: '',
  };
}

/** file: metadata of the paths the query names by path/directory equality or LIKE pattern. */
export const file: TableCollector = {
  name: 'file',
  *collect(ctx) {
    for (const path of pathsFromHints(ctx)) {
      const row = fileRow(ctx, path);
      if (row !== null) yield row;
    }
  },
};
