import { posix } from 'node:path';
import type { Row, TableCollector } from '../types.js';
import { splitLines } from './file-lines.js';
import { usersToRead } from './passwd.js';
import { readTextBounded } from './read-bounded.js';

const HISTORY_FILES = ['.bash_history', '.zsh_history', '.zhistory', '.sh_history', '.history'];
const MAX_HISTORY = 32 * 1024 * 1024;

/** Parses a history file: bash "#<epoch>" stamp lines and zsh ": <epoch>:<elapsed>;command" entries. */
export function parseHistory(text: string): { time: number; command: string }[] {
  const out: { time: number; command: string }[] = [];
  let stamp = 0;
  for (const line of splitLines(text)) {
    const bash = /^#(\d{9,11})$/.exec(line);
    if (bash) {
      stamp = Number(bash[1]);
      continue;
    }
    const zsh = /^: (\d+):\d+;(.*)$/.exec(line);
    if (zsh) {
      out.push({ time: Number(zsh[1]), command: zsh[2] as string });
      continue;
    }
    if (line.trim() === '') continue;
    out.push({ time: stamp, command: line });
    stamp = 0;
  }
  return out;
}

/** shell_history: every command in each user's shell history files (time 0 when the file has no stamps). */
export const shellHistory: TableCollector = {
  name: 'shell_history',
  *collect(ctx) {
    for (const user of usersToRead(ctx)) {
      for (const name of HISTORY_FILES) {
        const historyFile = posix.join(user.directory, name);
        const text = readTextBounded(ctx, historyFile, MAX_HISTORY);
        if (text === null) continue;
        for (const entry of parseHistory(text)) {
          const row: Row = {
            uid: user.uid,
            time: entry.time,
            command: entry.command,
            history_file: historyFile,
          };
          yield row;
        }
      }
    }
  },
};
