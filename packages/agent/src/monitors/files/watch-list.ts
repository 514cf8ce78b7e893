/**
 * What the file monitor watches by default (the list) and how a path maps to a category
 * the rules match on. Paths are logical (as on the host); the monitor resolves them under its root.
 */
import { posix } from 'node:path';

/** Categories the detection rules know. */
export type WatchCategory =
  | 'accounts'
  | 'sudoers'
  | 'ssh_config'
  | 'authorized_keys'
  | 'cron'
  | 'systemd'
  | 'preload'
  | 'profile'
  | 'binaries'
  | 'agent'
  | 'custom';

/** One watched file, or directory (its files, down to `depth` levels below it). */
export interface WatchEntry {
  path: string;
  category: WatchCategory;
  type: 'file' | 'dir';
  /** Levels of subdirectories watched below a directory (0: its own files only). */
  depth?: number;
}

/** The system-wide part of the default list. */
export const SYSTEM_WATCH_LIST: readonly WatchEntry[] = [
  { path: '/etc/passwd', category: 'accounts', type: 'file' },
  { path: '/etc/shadow', category: 'accounts', type: 'file' },
  { path: '/etc/group', category: 'accounts', type: 'file' },
  { path: '/etc/gshadow', category: 'accounts', type: 'file' },
  { path: '/etc/sudoers', category: 'sudoers', type: 'file' },
  { path: '/etc/sudoers.d', category: 'sudoers', type: 'dir', depth: 0 },
  { path: '/etc/ssh', category: 'ssh_config', type: 'dir', depth: 1 },
  { path: '/etc/crontab', category: 'cron', type: 'file' },
  { path: '/etc/cron.d', category: 'cron', type: 'dir', depth: 0 },
  { path: '/etc/cron.hourly', category: 'cron', type: 'dir', depth: 0 },
  { path: '/etc/cron.daily', category: 'cron', type: 'dir', depth: 0 },
  { path: '/etc/cron.weekly', category: 'cron', type: 'dir', depth: 0 },
  { path: '/etc/cron.monthly', category: 'cron', type: 'dir', depth: 0 },
  { path: '/var/spool/cron', category: 'cron', type: 'dir', depth: 2 },
  { path: '/etc/systemd/system', category: 'systemd', type: 'dir', depth: 1 },
  { path: '/lib/systemd/system', category: 'systemd', type: 'dir', depth: 0 },
  { path: '/usr/lib/systemd/system', category: 'systemd', type: 'dir', depth: 0 },
  { path: '/etc/ld.so.preload', category: 'preload', type: 'file' },
  { path: '/etc/profile', category: 'profile', type: 'file' },
  { path: '/etc/profile.d', category: 'profile', type: 'dir', depth: 0 },
  { path: '/etc/bash.bashrc', category: 'profile', type: 'file' },
  { path: '/etc/environment', category: 'profile', type: 'file' },
  { path: '/usr/bin', category: 'binaries', type: 'dir', depth: 0 },
  { path: '/usr/sbin', category: 'binaries', type: 'dir', depth: 0 },
  { path: '/bin', category: 'binaries', type: 'dir', depth: 0 },
  { path: '/sbin', category: 'binaries', type: 'dir', depth: 0 },
];

/** Start-up files in a home directory that run commands at login. */
const HOME_PROFILE_FILES = ['.bashrc', '.bash_profile', '.bash_login', '.profile', '.zshrc', '.bash_logout'];

/** The per-user part: each home's authorized_keys and shell start-up files, and user systemd units. */
export function homeWatchList(homes: readonly string[]): WatchEntry[] {
  const out: WatchEntry[] = [];
  for (const home of homes) {
    out.push({ path: posix.join(home, '.ssh/authorized_keys'), category: 'authorized_keys', type: 'file' });
    out.push({ path: posix.join(home, '.ssh/authorized_keys2'), category: 'authorized_keys', type: 'file' });
    for (const f of HOME_PROFILE_FILES)
      out.push({ path: posix.join(home, f), category: 'profile', type: 'file' });
    out.push({ path: posix.join(home, '.config/systemd/user'), category: 'systemd', type: 'dir', depth: 1 });
  }
  return out;
}

/** Default patterns of files never reported: editor swap files, package managers' and Vigil's temporary names. */
export const DEFAULT_IGNORE = ['*.swp', '*.swx', '*~', '.#*', '*.dpkg-new', '*.dpkg-tmp', '*.tmp-[0-9]*'];

/**
 * The entry that covers a path: the most specific one (a file entry over its directory's entry,
 * a deeper directory over a shallower one), or undefined when none does.
 */
export function entryFor(entries: readonly WatchEntry[], path: string): WatchEntry | undefined {
  let best: WatchEntry | undefined;
  for (const e of entries) {
    if (e.type === 'file') {
      if (e.path === path) return e;
      continue;
    }
    if (!path.startsWith(`${e.path}/`)) continue;
    const levels = path.slice(e.path.length + 1).split('/').length - 1;
    if (levels > (e.depth ?? 0)) continue;
    if (!best || e.path.length > best.path.length) best = e;
  }
  return best;
}
