/**
 * Run the real `vigil` CLI as a child process from its TypeScript sources (no build needed):
 * `node --import packages/cli/bin/register-sources.js packages/cli/src/bin.ts …`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The loader that lets Node run the TypeScript sources with workspace packages mapped to src. */
export const REGISTER_SOURCES = fileURLToPath(
  new URL('../../packages/cli/bin/register-sources.js', import.meta.url),
);
/** The CLI entry point. */
export const CLI_ENTRY = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));

/** Node arguments that start the CLI with `args`. */
export function cliCommand(args: string[]): string[] {
  return ['--import', REGISTER_SOURCES, CLI_ENTRY, ...args];
}

/** The environment of a child CLI: the parent's without any VIGIL_* setting, plus `extra`. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VIGIL_')) env[k] = v;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** What a CLI run produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options for one CLI run. */
export interface RunCliOptions {
  /** Extra environment (undefined removes a variable). VIGIL_* from the test process are never inherited. */
  env?: Record<string, string | undefined>;
  /** Text written to the CLI's stdin (then closed); stdin is closed at once without it. */
  input?: string;
  /** Kill the CLI after this long (default 30 s). */
  timeoutMs?: number;
}

/** Run `vigil <args>` to completion and return its exit code and output. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliCommand(args), {
      cwd: REPO_ROOT,
      env: cliEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
