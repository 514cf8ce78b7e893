import { readText } from '../fs-helpers.js';
import type { TableContext } from '../types.js';

/** One /etc/passwd entry. */
export interface PasswdEntry {
  username: string;
  uid: number;
  gid: number;
  description: string;
  directory: string;
  shell: string;
}

/** One /etc/group entry. */
export interface GroupEntry {
  groupname: string;
  gid: number;
  members: string[];
}

function lines(text: string | null): string[][] {
  if (text === null) return [];
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('+') && !l.startsWith('-'))
    .map((l) => l.split(':'));
}

/** Parses /etc/passwd under the context root (malformed lines are skipped with a warning). */
export function readPasswd(ctx: TableContext): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const f of lines(readText(ctx, '/etc/passwd'))) {
    if (f.length < 7 || !/^\d+$/.test(f[2] as string) || !/^\d+$/.test(f[3] as string)) {
      ctx.warn(`skipped a malformed /etc/passwd line for "${f[0] ?? ''}"`);
      continue;
    }
    entries.push({
      username: f[0] as string,
      uid: Number(f[2]),
      gid: Number(f[3]),
      description: f[4] as string,
      directory: f[5] as string,
      shell: f.slice(6).join(':'),
    });
  }
  return entries;
}

/** Parses /etc/group under the context root (malformed lines are skipped with a warning). */
export function readGroups(ctx: TableContext): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const f of lines(readText(ctx, '/etc/group'))) {
    if (f.length < 4 || !/^\d+$/.test(f[2] as string)) {
      ctx.warn(`skipped a malformed /etc/group line for "${f[0] ?? ''}"`);
      continue;
    }
    const members = (f[3] as string).split(',').filter((m) => m !== '');
    entries.push({ groupname: f[0] as string, gid: Number(f[2]), members });
  }
  return entries;
}

/** Users to visit for per-user files: all of /etc/passwd, or those the query names by uid. */
export function usersToRead(ctx: TableContext): PasswdEntry[] {
  const wanted = ctx.hints.equals.get('uid');
  const users = readPasswd(ctx);
  if (wanted === undefined) return users;
  const uids = new Set(wanted.map(Number));
  return users.filter((u) => uids.has(u.uid));
}

/** Interprets a 32-bit id as signed, as osquery's *_signed columns do. */
export function signed32(id: number): number {
  return id > 0x7fffffff ? id - 0x100000000 : id;
}
