import { listDir, readText, statSafe } from '../fs-helpers.js';
import type { TableCollector, TableContext } from '../types.js';
import { parseStanzas } from './parse-helpers.js';

const PREFIXES = ['/usr/lib', '/usr/local/lib', '/usr/lib64', '/usr/local/lib64'];

/** The standard system package directories: <prefix>/python3*\/{site,dist}-packages and /usr/lib/python3/dist-packages. */
export function packageDirectories(ctx: TableContext): string[] {
  const dirs = new Set<string>();
  for (const prefix of PREFIXES) {
    for (const version of listDir(ctx, prefix).filter((d) => /^python3(\.\d+)?$/.test(d))) {
      for (const kind of ['site-packages', 'dist-packages']) {
        const dir = `${prefix}/${version}/${kind}`;
        if (statSafe(ctx, dir)?.isDirectory()) dirs.add(dir);
      }
    }
  }
  return [...dirs].sort();
}

/** The metadata file of a *.dist-info or *.egg-info entry (an egg-info may itself be the PKG-INFO file). */
function metadataFile(ctx: TableContext, dir: string, entry: string): string | null {
  if (entry.endsWith('.dist-info')) return `${dir}/${entry}/METADATA`;
  if (!entry.endsWith('.egg-info')) return null;
  return statSafe(ctx, `${dir}/${entry}`)?.isDirectory() ? `${dir}/${entry}/PKG-INFO` : `${dir}/${entry}`;
}

/** python_packages: distributions installed in the system Python package directories. */
export const pythonPackages: TableCollector = {
  name: 'python_packages',
  *collect(ctx) {
    const dirs = packageDirectories(ctx);
    if (dirs.length === 0) ctx.warn('no Python 3 site-packages or dist-packages directory found');
    for (const dir of dirs) {
      for (const entry of listDir(ctx, dir)) {
        const file = metadataFile(ctx, dir, entry);
        if (file === null) continue;
        const text = readText(ctx, file);
        if (text === null) continue;
        // Only the header block matters: the long description follows the first blank line.
        const meta = parseStanzas(text.split(/\r?\n\r?\n/)[0] ?? '')[0];
        if (meta === undefined || !meta.has('Name')) {
          ctx.warn(`no Name field in ${file}`);
          continue;
        }
        yield {
          name: meta.get('Name') ?? null,
          version: meta.get('Version') ?? null,
          summary: meta.get('Summary') ?? null,
          author: meta.get('Author') ?? meta.get('Author-email') ?? null,
          license: meta.get('License') ?? meta.get('License-Expression') ?? null,
          path: `${dir}/${entry}`,
          directory: dir,
        };
      }
    }
  },
};
