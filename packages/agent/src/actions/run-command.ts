/**
 * The real CommandRunner of the action framework: programs run with an argument array (never a
 * shell string), by absolute path or by name from the fixed system directories, with a fixed
 * minimal environment, optionally as another user, bounded output and the action's abort signal.
 * Each program runs in its own process group, and whatever is left of that group is killed when
 * the program exits or is aborted: an action leaves no stray processes behind.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { isAbsolute } from 'node:path';
import { findProgram, SEARCH_DIRS } from '../tables/collectors/command-runner.js';
import type { CommandOutput, CommandRunner, RunOptions } from './types.js';
import { lookupUser } from './users.js';

/** Default limit of each of stdout and stderr. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** How long stdout/stderr may stay open after the program exited (a background child holding them). */
const DRAIN_AFTER_EXIT_MS = 500;

/** Options of one runner (one per action run). */
export interface CommandRunnerOptions {
  /** The action's abort signal: fires at its timeout. */
  signal: AbortSignal;
  /** Per-stream output limit unless a call sets its own. */
  maxOutputBytes?: number;
}

/** An error whose code says why a program could not be started. */
class StartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StartError';
  }
}

/** The absolute path to run, or a StartError (relative paths are refused: they depend on the cwd). */
function resolveProgram(program: string): string {
  if (isAbsolute(program)) return program;
  if (program.includes('/'))
    throw new StartError('E_ACTION_REFUSED', `refusing relative program path ${program}`);
  const path = findProgram(program);
  if (path === null)
    throw new StartError(
      'E_ACTION_UNSUPPORTED',
      `${program} is not installed (looked in ${SEARCH_DIRS.join(', ')})`,
    );
  return path;
}

/** Collects at most `limit` bytes of a stream and remembers whether more came. */
class Capture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.size += part.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** An abort error like Node's own, so callers can tell a timeout from a failure. */
function abortError(signal: AbortSignal): Error {
  const error = new Error('the action was aborted (timeout)', { cause: signal.reason });
  error.name = 'AbortError';
  (error as Error & { code: string }).code = 'ABORT_ERR';
  return error;
}

/** Kill a process group, ignoring one that is already gone. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already exited.
  }
}

/** Create the runner an action context carries. */
export function createCommandRunner(options: CommandRunnerOptions): CommandRunner {
  const { signal } = options;
  return async (program: string, args: string[], run: RunOptions = {}): Promise<CommandOutput> => {
    if (signal.aborted) throw abortError(signal);
    const path = resolveProgram(program);
    const env: Record<string, string> = { PATH: SEARCH_DIRS.join(':'), LC_ALL: 'C', HOME: '/' };
    let ids: { uid: number; gid: number } | undefined;
    if (run.user !== undefined) {
      const user = await lookupUser(run.user).catch((error: Error) => {
        throw new StartError('E_ACTION_REFUSED', error.message);
      });
      if (!user) throw new StartError('E_ACTION_TARGET_NOT_FOUND', `there is no user ${run.user}`);
      ids = { uid: user.uid, gid: user.gid };
      Object.assign(env, { HOME: user.home || '/', USER: user.name, LOGNAME: user.name });
    }
    Object.assign(env, run.env ?? {});
    const limit = run.maxOutputBytes ?? options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const stdout = new Capture(limit);
    const stderr = new Capture(limit);

    return new Promise<CommandOutput>((resolve, reject) => {
      const child = spawn(path, args, {
        cwd: run.cwd ?? '/',
        env,
        // A new session and process group: an abort kills the program and everything it started.
        detached: true,
        stdio: [run.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        ...(ids ?? {}),
      });
      let exitCode: number | null = null;
      let settled = false;
      let drainTimer: NodeJS.Timeout | undefined;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (drainTimer) clearTimeout(drainTimer);
        killGroup(child.pid);
        child.stdout?.destroy();
        child.stderr?.destroy();
        if (error) reject(error);
        else
          resolve({
            code: exitCode ?? -1,
            stdout: stdout.text(),
            stderr: stderr.text(),
            truncated: stdout.truncated || stderr.truncated,
          });
      };
      const onAbort = () => finish(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      child.stdout?.on('data', (c: Buffer) => stdout.add(c));
      child.stderr?.on('data', (c: Buffer) => stderr.add(c));
      child.on('error', (error) =>
        finish(new StartError('E_ACTION_UNSUPPORTED', `${path}: ${error.message}`)),
      );
      child.on('exit', (code, sig) => {
        // A signal death reads like the shell reports it: 128 + signal number.
        exitCode = code ?? 128 + (sig ? constants.signals[sig] : 0);
        drainTimer = setTimeout(() => finish(), DRAIN_AFTER_EXIT_MS);
      });
      child.on('close', () => finish());
      if (run.input !== undefined && child.stdin) {
        child.stdin.on('error', () => {
          // The program may exit without reading its input; that is its business.
        });
        child.stdin.end(run.input);
      }
    });
  };
}
