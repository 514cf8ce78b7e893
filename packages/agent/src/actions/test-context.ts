/** An action context on the real host for tests: a private state dir, quarantine store and real runner. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCommandRunner } from './run-command.js';
import type { ActionContext } from './types.js';

/** A context with its own temporary state dir (protected) and quarantine store; `logs` collects ctx.log. */
export function actionTestContext(over: Partial<ActionContext> = {}): ActionContext & {
  logs: string[];
  stateDir: string;
  abort: AbortController;
} {
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-action-state-'));
  const quarantineDir = join(stateDir, 'quarantine');
  mkdirSync(quarantineDir, { mode: 0o700 });
  const abort = new AbortController();
  const logs: string[] = [];
  return {
    dryRun: false,
    signal: abort.signal,
    run: createCommandRunner({ signal: abort.signal }),
    serverAddresses: ['127.0.0.1'],
    agentPid: process.pid,
    protectedPaths: [stateDir],
    quarantineDir,
    root: '/',
    log: (m) => logs.push(m),
    ...over,
    logs,
    stateDir,
    abort,
  };
}
