/**
 * A real Vigil server as a child process (`vigil server`), on a free loopback port with its own
 * data directory. Resolves once the banner is printed and hands back what the banner says.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliCommand, cliEnv, REPO_ROOT } from './cli-process.js';

/** Options for starting a server process. */
export interface ServerProcessOptions {
  /** Data directory (default: a new temporary one). Reuse one to test restarts. */
  dataDir?: string;
  /** The first admin to create with a one-time password; null starts without (setup still open). */
  adminEmail?: string | null;
  /** Extra environment for the server. */
  env?: Record<string, string | undefined>;
  /** Extra arguments after the defaults (later flags win). */
  args?: string[];
  /** How long to wait for the banner (default 30 s). */
  timeoutMs?: number;
}

/** How a server process ended. */
export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running server process and what its banner announced. */
export interface ServerProcess {
  url: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  caFingerprint: string;
  dataDir: string;
  process: ChildProcessWithoutNullStreams;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): { stdout: string; stderr: string };
  /** Send a signal (default SIGTERM) and wait for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<ServerExit>;
}

/** A new empty temporary directory. */
export function tempDir(prefix = 'vigil-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Parse the `vigil server` banner. */
export function parseBanner(
  text: string,
): { url: string; adminEmail?: string; adminPassword?: string; caFingerprint: string } | null {
  const url = /Console:\s+(https:\/\/\S+?)\/?\s*$/m.exec(text)?.[1];
  const caFingerprint = /CA fingerprint:\s+(SHA256:[0-9a-f]{64})/.exec(text)?.[1];
  if (!url || !caFingerprint || !/Log in with:/.test(text)) return null;
  const adminEmail = /Admin e-mail:\s+(\S+)/.exec(text)?.[1];
  const adminPassword = /Admin password:\s+(\S+)/.exec(text)?.[1];
  return {
    url,
    caFingerprint,
    ...(adminEmail ? { adminEmail } : {}),
    ...(adminPassword ? { adminPassword } : {}),
  };
}

/** Start `vigil server` on 127.0.0.1 with a free port and wait for its banner. */
export function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? tempDir();
  const adminEmail = options.adminEmail === undefined ? 'admin@example.test' : options.adminEmail;
  const args = [
    'server',
    '--data',
    dataDir,
    '--listen',
    '127.0.0.1:0',
    '--log-level',
    'warn',
    // The console is not under test here; a missing web dir keeps the server from serving one.
    '--web-dir',
    join(dataDir, 'no-console'),
    ...(adminEmail ? ['--admin-email', adminEmail] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, cliCommand(args), {
    cwd: REPO_ROOT,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<ServerExit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`no banner within ${options.timeoutMs ?? 30_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, options.timeoutMs ?? 30_000);
    const onOutput = () => {
      const banner = parseBanner(stdout);
      if (!banner) return;
      clearTimeout(timer);
      child.stdout.off('data', onOutput);
      resolve({
        url: banner.url,
        adminEmail: banner.adminEmail,
        adminPassword: banner.adminPassword,
        caFingerprint: banner.caFingerprint,
        dataDir,
        process: child,
        output: () => ({ stdout, stderr }),
        async stop(signal: NodeJS.Signals = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stdout.on('data', onOutput);
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the server exited (code ${exit.code}, signal ${exit.signal}) before its banner\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    });
  });
}
