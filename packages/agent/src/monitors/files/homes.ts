/** The home directories whose keys and start-up files the file monitor watches. */
import { statSync } from 'node:fs';
import { readPasswd } from '../../tables/collectors/passwd.js';
import { resolveIn } from '../../tables/fs-helpers.js';
import { collectorContext } from '../collector-context.js';

/** Homes watched at most (one inotify watch per directory). */
const MAX_HOMES = 500;

/** Homes of root and of regular users (uid ≥ 1000) that exist under `root`, deduplicated. */
export function homesOf(root: string): string[] {
  const homes = new Set<string>();
  for (const u of readPasswd(collectorContext(root))) {
    if (homes.size >= MAX_HOMES) break;
    if (!(u.uid === 0 || (u.uid >= 1000 && u.uid < 60000))) continue;
    if (!u.directory.startsWith('/') || u.directory === '/') continue;
    try {
      if (statSync(resolveIn(root, u.directory)).isDirectory()) homes.add(u.directory);
    } catch {
      // no such home
    }
  }
  return [...homes].sort();
}
