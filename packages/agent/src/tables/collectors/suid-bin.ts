import { posix } from 'node:path';
import { listEntries, statSafe } from '../fs-helpers.js';
import type { TableCollector, TableContext } from '../types.js';
import { readGroups, readPasswd } from './passwd.js';

const SEARCH = [
  '/bin',
  '/sbin',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/usr/libexec',
  '/usr/lib',
  '/opt',
  '/tmp',
  '/var/tmp',
  '/dev/shm',
  '/home',
  '/root',
];
const MAX_DEPTH = 8;
const MAX_VISITS = 200_000;

function* walk(ctx: TableContext, dir: string, depth: number, budget: { left: number }): Generator<string> {
  for (const entry of listEntries(ctx, dir)) {
    if (budget.left <= 0) return;
    budget.left -= 1;
    const path = posix.join(dir, entry.name);
    if (entry.isFile()) yield path;
    else if (entry.isDirectory() && depth < MAX_DEPTH) yield* walk(ctx, path, depth + 1, budget);
  }
}

/** suid_bin: setuid/setgid regular files under the usual binary, library, temp and home folders (bounded walk, symlinks not followed). */
export const suidBin: TableCollector = {
  name: 'suid_bin',
  *collect(ctx) {
    const users = new Map(readPasswd(ctx).map((u) => [u.uid, u.username]));
    const groups = new Map(readGroups(ctx).map((g) => [g.gid, g.groupname]));
    const budget = { left: MAX_VISITS };
    const seen = new Set<string>();
    for (const top of SEARCH) {
      const topStat = statSafe(ctx, top, false);
      if (topStat === null || !topStat.isDirectory()) continue;
      for (const path of walk(ctx, top, 1, budget)) {
        const s = statSafe(ctx, path, false);
        if (s === null || (s.mode & 0o6000) === 0) continue;
        const key = `${s.dev}:${s.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const permissions = `${s.mode & 0o4000 ? 'S' : ''}${s.mode & 0o2000 ? 'G' : ''}`;
        yield {
          path,
          username: users.get(s.uid) ?? String(s.uid),
          groupname: groups.get(s.gid) ?? String(s.gid),
          permissions,
        };
      }
    }
    if (budget.left <= 0) ctx.warn(`stopped after visiting ${MAX_VISITS} entries (walk limit)`);
  },
};
