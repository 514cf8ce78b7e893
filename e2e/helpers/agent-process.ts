/** Test helper: real agent processes (`vigil agent enroll|run`) against a server on loopback. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cliCommand, cliEnv, REPO_ROOT, runCli } from './cli-process.js';

/** A running agent process. */
export interface AgentProcess {
  stateDir: string;
  process: ChildProcess;
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Enroll a state dir with the real CLI; returns the CLI result. */
export function enrollAgent(
  server: string,
  token: string,
  fingerprint: string,
  stateDir: string,
  env: Record<string, string> = {},
) {
  return runCli(
    [
      'agent',
      'enroll',
      '--server',
      server,
      '--token',
      token,
      '--ca-fingerprint',
      fingerprint,
      '--state',
      stateDir,
    ],
    { env },
  );
}

/**
 * Start `vigil agent run` for a state dir. Its threat monitors are off: they would watch this
 * shared test machine and raise alerts about other tests' processes and files into this test's
 * server (e2e/monitoring.test.ts runs its agent with monitors, on a fixture root).
 */
export function startAgentProcess(
  stateDir: string,
  env: Record<string, string> = {},
  extraArgs: string[] = [],
): AgentProcess {
  const child = spawn(
    process.execPath,
    cliCommand(['agent', 'run', '--state', stateDir, '--log-level', 'info', '--no-monitors', ...extraArgs]),
    {
      cwd: REPO_ROOT,
      env: cliEnv({ VIGIL_AGENT_BACKOFF_MS: '200', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  child.stderr?.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    stateDir,
    process: child,
    log: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Put N test events straight into an agent's outbox (a stand-in for results produced while disconnected). */
export function fillOutbox(stateDir: string, n: number, prefix: string): string[] {
  const db = new Database(join(stateDir, 'outbox.db'));
  db.pragma('busy_timeout = 5000');
  const ids: string[] = [];
  const insert = db.prepare(
    'INSERT INTO outbox (id, kind, at, body, priority, bytes) VALUES (?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = `${prefix}-${i.toString().padStart(6, '0')}`;
      const body = JSON.stringify({ n: i, prefix });
      insert.run(id, 'test.event', Date.now(), body, 'low', body.length);
      ids.push(id);
    }
  })();
  db.close();
  return ids;
}

/** Poll until `fn` is true or the time is up. */
export async function waitFor(
  fn: () => Promise<boolean> | boolean,
  ms = 15_000,
  every = 100,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return false;
}
