import { realpathSync, statfsSync } from 'node:fs';
import { readText, resolveIn } from '../fs-helpers.js';
import type { Row, TableCollector, TableContext } from '../types.js';
import { fields } from './parse-helpers.js';

/** Undoes the octal escapes /proc/mounts uses for spaces, tabs, newlines and backslashes. */
export function unescapeMountField(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** statfs(2) figures for a mount point; empty (with a warning) when the call fails, as on a dead network mount. */
function statfsColumns(ctx: TableContext, path: string): Row {
  try {
    const s = statfsSync(resolveIn(ctx.root, path));
    return {
      blocks_size: s.bsize,
      blocks: s.blocks,
      blocks_free: s.bfree,
      blocks_available: s.bavail,
      inodes: s.files,
      inodes_free: s.ffree,
    };
  } catch (err) {
    ctx.warn(`cannot statfs ${path}: ${err instanceof Error ? err.message : String(err)}`);
    return {};
  }
}

function deviceAlias(ctx: TableContext, device: string): string {
  if (!device.startsWith('/')) return device;
  try {
    const real = realpathSync(resolveIn(ctx.root, device));
    return ctx.root === '/' ? real : real.slice(realpathSync(ctx.root).length) || '/';
  } catch {
    return device;
  }
}

/** mounts: the kernel's mount table with statfs(2) block and inode counts per mount point. */
export const mounts: TableCollector = {
  name: 'mounts',
  *collect(ctx) {
    const text = readText(ctx, '/proc/mounts') ?? readText(ctx, '/etc/mtab');
    if (text === null) {
      ctx.warn('neither /proc/mounts nor /etc/mtab is readable');
      return;
    }
    for (const line of text.split('\n')) {
      const f = fields(line);
      if (f.length < 4) continue;
      const device = unescapeMountField(f[0] ?? '');
      const path = unescapeMountField(f[1] ?? '');
      yield {
        device,
        device_alias: deviceAlias(ctx, device),
        path,
        type: f[2] ?? null,
        ...statfsColumns(ctx, path),
        flags: f[3] ?? null,
      };
    }
  },
};
