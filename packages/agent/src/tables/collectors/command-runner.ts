import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import type { TableContext } from '../types.js';

/** Runs a program for a command-backed table and returns its stdout, or null (with a warning) when it cannot. */
export type CommandRunner = (ctx: TableContext, program: string, args: string[]) => string | null;

/** Directories searched for a program; a fixed list, so a PATH planted in the agent's environment cannot redirect it. */
export const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];
const TIMEOUT_MS = 10_000;
const MAX_OUTPUT = 64 * 1024 * 1024;

/** The absolute path of an executable program in the standard system directories, or null. */
export function findProgram(program: string): string | null {
  for (const dir of SEARCH_DIRS) {
    try {
      accessSync(`${dir}/${program}`, constants.X_OK);
      return `${dir}/${program}`;
    } catch {
      // Not in this directory.
    }
  }
  return null;
}

/** Runs the program on the live host (argument array, no shell, with a timeout); refuses on a fixture root. */
export const runHostCommand: CommandRunner = (ctx, program, args) => {
  if (ctx.root !== '/') {
    ctx.warn(`${program} reads the live host only; not run for root ${ctx.root}`);
    return null;
  }
  const path = findProgram(program);
  if (path === null) {
    ctx.warn(`${program} is not installed`);
    return null;
  }
  try {
    return execFileSync(path, args, {
      encoding: 'utf8',
      timeout: TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: SEARCH_DIRS.join(':'), LC_ALL: 'C' },
    });
  } catch (err) {
    const stderr =
      typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr).trim() : '';
    const reason = stderr !== '' ? stderr : err instanceof Error ? err.message : String(err);
    ctx.warn(`${program} failed: ${reason.split('\n')[0]}`);
    return null;
  }
};
