import { listDir, readText } from '../fs-helpers.js';
import type { Row, TableCollector, TableContext } from '../types.js';

const GLOBAL_DIRS = ['/usr/lib/node_modules', '/usr/local/lib/node_modules'];

/** A package.json "author"/"license" may be a string or an object; this flattens it the way npm displays it. */
function personOrText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    if (typeof v.name === 'string') return typeof v.email === 'string' ? `${v.name} <${v.email}>` : v.name;
    if (typeof v.type === 'string') return v.type;
  }
  return null;
}

function readPackage(ctx: TableContext, nodeModules: string, dir: string): Row | null {
  const path = `${nodeModules}/${dir}/package.json`;
  const text = readText(ctx, path);
  if (text === null) return null;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    ctx.warn(`${path} is not valid JSON`);
    return null;
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    name: str(json.name) ?? dir,
    version: str(json.version),
    description: str(json.description),
    author: personOrText(json.author),
    license: personOrText(json.license),
    homepage: str(json.homepage),
    path,
    directory: nodeModules,
    depth: 0,
  };
}

/** npm_packages: globally installed Node packages (top level of the global node_modules folders). */
export const npmPackages: TableCollector = {
  name: 'npm_packages',
  *collect(ctx) {
    const hinted = ctx.hints.equals.get('directory')?.filter((d): d is string => typeof d === 'string');
    for (const nodeModules of hinted ?? GLOBAL_DIRS) {
      for (const entry of listDir(ctx, nodeModules)) {
        if (entry.startsWith('.')) continue;
        const names = entry.startsWith('@')
          ? listDir(ctx, `${nodeModules}/${entry}`).map((n) => `${entry}/${n}`)
          : [entry];
        for (const name of names) {
          const row = readPackage(ctx, nodeModules, name);
          if (row !== null) yield row;
        }
      }
    }
  },
};
