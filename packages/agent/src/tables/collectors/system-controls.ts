import { readFileSync } from 'node:fs';
import { listDir, listEntries, readText, resolveIn, statSafe } from '../fs-helpers.js';
import type { TableCollector, TableContext } from '../types.js';
import { contentLines } from './parse-helpers.js';

/** Where sysctl.d(5) looks, lowest precedence first; a later file overrides an earlier one's key. */
const CONFIG_DIRS = [
  '/usr/lib/sysctl.d',
  '/lib/sysctl.d',
  '/usr/local/lib/sysctl.d',
  '/run/sysctl.d',
  '/etc/sysctl.d',
];
/** How deep the /proc/sys walk goes: a guard against a bind-mount loop in an unusual root. */
const MAX_DEPTH = 8;

/** The configured values: sysctl.d fragments by file name (later directories win), then /etc/sysctl.conf. */
function configuredValues(ctx: TableContext): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of CONFIG_DIRS) {
    for (const name of listDir(ctx, dir)) if (name.endsWith('.conf')) files.set(name, `${dir}/${name}`);
  }
  const ordered = [...files.keys()].sort().map((name) => files.get(name) as string);
  ordered.push('/etc/sysctl.conf');
  const values = new Map<string, string>();
  for (const file of ordered) {
    for (const line of contentLines((readText(ctx, file) ?? '').replace(/^\s*;.*$/gm, ''))) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      // sysctl accepts "/" as the separator too (net/ipv4/ip_forward).
      const key = line.slice(0, eq).trim().replace(/^-/, '').replaceAll('/', '.');
      values.set(key, line.slice(eq + 1).trim());
    }
  }
  return values;
}

/** The sysctl files to read: the hinted names only, or a walk of /proc/sys. */
function* controlFiles(ctx: TableContext, dir: string, depth: number): Generator<string> {
  if (depth > MAX_DEPTH) return;
  for (const entry of listEntries(ctx, dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) yield* controlFiles(ctx, path, depth + 1);
    else if (entry.isFile()) yield path;
  }
}

/** Errors with which a control says "no value right now" (an unset stable_secret answers EIO): skipped quietly. */
const NO_VALUE = new Set(['EIO', 'EINVAL', 'ENODATA', 'EOPNOTSUPP', 'ENOENT', 'ENOTDIR', 'EPERM']);

function readControl(ctx: TableContext, path: string): string | null {
  try {
    return readFileSync(resolveIn(ctx.root, path), 'utf8');
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    if (!NO_VALUE.has(code))
      ctx.warn(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

function nameOf(path: string): string {
  return path.slice('/proc/sys/'.length).replaceAll('.', '/').split('/').join('.');
}

/** system_controls: every readable /proc/sys value beside the value the sysctl configuration sets. */
export const systemControls: TableCollector = {
  name: 'system_controls',
  *collect(ctx) {
    const config = configuredValues(ctx);
    const wanted = ctx.hints.equals.get('name');
    const paths =
      wanted === undefined
        ? controlFiles(ctx, '/proc/sys', 0)
        : wanted
            .filter((w): w is string => typeof w === 'string')
            .map((w) => `/proc/sys/${w.replaceAll('.', '/')}`);
    for (const path of paths) {
      const stat = statSafe(ctx, path);
      // Write-only controls (vm.drop_caches, …) cannot be read by anyone: not a problem worth a warning.
      if (stat === null || !stat.isFile() || (stat.mode & 0o444) === 0) continue;
      const text = readControl(ctx, path);
      if (text === null) continue;
      const name = nameOf(path);
      yield {
        name,
        subsystem: name.split('.')[0] ?? null,
        current_value: text.trim().replace(/\s+/g, ' '),
        config_value: config.get(name) ?? '',
      };
    }
  },
};
