import { posix } from 'node:path';
import { listEntries, readText } from '../fs-helpers.js';
import type { Row, TableCollector, TableContext } from '../types.js';

const FILES = ['/etc/crontab'];
const DIRS = ['/etc/cron.d', '/var/spool/cron/crontabs', '/var/spool/cron'];

/** Parses one cron line into osquery's columns; null for blanks, comments and variable assignments. */
export function parseCronLine(raw: string): Omit<Row, 'path'> | null {
  const line = raw.trim();
  if (line === '' || line.startsWith('#') || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) return null;
  if (line.startsWith('@')) {
    const [event, ...rest] = line.split(/\s+/);
    return {
      event: event ?? '',
      minute: '',
      hour: '',
      day_of_month: '',
      month: '',
      day_of_week: '',
      command: rest.join(' '),
    };
  }
  const f = line.split(/\s+/);
  if (f.length < 6) return null;
  return {
    event: '',
    minute: f[0] as string,
    hour: f[1] as string,
    day_of_month: f[2] as string,
    month: f[3] as string,
    day_of_week: f[4] as string,
    command: f.slice(5).join(' '),
  };
}

function cronFiles(ctx: TableContext): string[] {
  const files = [...FILES];
  for (const dir of DIRS) {
    for (const entry of listEntries(ctx, dir)) if (entry.isFile()) files.push(posix.join(dir, entry.name));
  }
  return files;
}

/** crontab: jobs of /etc/crontab, /etc/cron.d/* and the user spools (the system files' user field stays in command, as in osquery). */
export const crontab: TableCollector = {
  name: 'crontab',
  *collect(ctx) {
    for (const path of cronFiles(ctx)) {
      const text = readText(ctx, path);
      if (text === null) continue;
      for (const line of text.split('\n')) {
        const row = parseCronLine(line);
        if (row !== null) yield { ...row, path };
      }
    }
  },
};
