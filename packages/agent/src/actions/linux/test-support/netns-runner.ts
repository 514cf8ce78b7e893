/**
 * A CommandRunner for tests: runs each program (argument array, no shell) on the host or inside a
 * network namespace (`ip netns exec NS prog args`), with the same contract as the agent's runner:
 * resolves with the exit code, rejects when the program is missing or the run is aborted.
 */
import { spawn } from 'node:child_process';
import { findProgram } from '../../../tables/collectors/command-runner.js';
import type { CommandOutput, CommandRunner, RunOptions } from '../../types.js';

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const OUTPUT_LIMIT = 4 * 1024 * 1024;

export interface TestRunnerOptions {
  /** Run every command inside this network namespace. */
  netns?: string;
  /** Aborts running commands (SIGKILL) and refuses new ones. */
  signal?: AbortSignal;
  /** Environment added to every command (after the fixed PATH and LC_ALL). */
  env?: Record<string, string>;
}

/** A runner bound to one namespace (or the host) and one abort signal. */
export function createTestRunner(options: TestRunnerOptions = {}): CommandRunner {
  return (program: string, args: string[], runOptions: RunOptions = {}) => {
    const resolved = program.startsWith('/') ? program : findProgram(program);
    if (!resolved) return Promise.reject(new Error(`program not found: ${program}`));
    const argv = options.netns
      ? ['ip', ['netns', 'exec', options.netns, resolved, ...args]]
      : [resolved, args];
    return spawnCollect(argv[0] as string, argv[1] as string[], runOptions, options);
  };
}

function spawnCollect(
  program: string,
  args: string[],
  runOptions: RunOptions,
  options: TestRunnerOptions,
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const child = spawn(program, args, {
      env: {
        PATH: SYSTEM_DIRS.join(':'),
        LC_ALL: 'C',
        ...options.env,
        ...runOptions.env,
      },
      cwd: runOptions.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    let truncated = false;
    const collect = (which: 'out' | 'err') => (chunk: Buffer) => {
      const current = which === 'out' ? stdout : stderr;
      if (current.length >= OUTPUT_LIMIT) {
        truncated = true;
        return;
      }
      const next = current + chunk.toString('utf8');
      if (which === 'out') stdout = next.slice(0, OUTPUT_LIMIT);
      else stderr = next.slice(0, OUTPUT_LIMIT);
      if (next.length > OUTPUT_LIMIT) truncated = true;
    };
    child.stdout.on('data', collect('out'));
    child.stderr.on('data', collect('err'));
    child.on('error', reject);
    child.on('close', (code, sig) => {
      if (options.signal?.aborted) reject(new Error('aborted'));
      else resolve({ code: code ?? (sig ? 128 : 1), stdout, stderr, truncated });
    });
    child.stdin.on('error', () => {
      // the program may exit without reading its input
    });
    child.stdin.end(runOptions.input ?? '');
  });
}
