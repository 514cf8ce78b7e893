/**
 * The contract between the action runner (validation, dry-run, idempotency, timeouts, reporting)
 * and the per-platform action implementations. An implementation gets parameters that have
 * already passed the action's schema, never builds a shell string, and reports what it did.
 */
import type { ActionErrorT } from '@vigil/protocol';

/** What a command run returned. `stdout`/`stderr` are cut to the runner's output limit. */
export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
  /** True when the output went over the limit and was cut. */
  truncated: boolean;
}

export interface RunOptions {
  /** Bytes written to the program's stdin. */
  input?: string;
  /** Run as this user (uid/gid looked up by the runner); the agent itself runs as root. */
  user?: string;
  /** Extra environment on top of the runner's fixed, minimal one (PATH of system dirs, LC_ALL=C). */
  env?: Record<string, string>;
  cwd?: string;
  /** This call's own limit of stdout and of stderr, in bytes (script.run's output_limit_bytes). */
  maxOutputBytes?: number;
}

/**
 * Runs a program by absolute path or by name looked up in the fixed system directories, with an
 * argument array (no shell), the action's abort signal and output limits. Resolves with the exit
 * code even when it is non-zero; rejects only when the program cannot be started or is aborted.
 */
export type CommandRunner = (program: string, args: string[], options?: RunOptions) => Promise<CommandOutput>;

export interface ActionContext {
  /** Report what would be done, change nothing. */
  dryRun: boolean;
  /** Aborted when the action's timeout passes; long steps must stop when it fires. */
  signal: AbortSignal;
  /** Runs external programs; tests may pass one that runs inside a network namespace. */
  run: CommandRunner;
  /** The Vigil server's addresses: never blocked, always allowed through isolation. */
  serverAddresses: string[];
  /** The agent's own process id: never killed or stopped. */
  agentPid: number;
  /** Paths no action may touch (the agent's install and state dirs, the quarantine store). */
  protectedPaths: string[];
  /** Where quarantined files and their metadata live. */
  quarantineDir: string;
  /** Root of the filesystem (`/` on a host; a temporary tree in tests of file-only actions). */
  root: string;
  log: (message: string) => void;
}

/** What an implementation returns; the runner adds ids, timing and status mapping. */
export interface ActionOutcome {
  ok: boolean;
  changed: boolean;
  summary: string;
  details: Record<string, unknown>;
  undo?: { action: string; params: Record<string, unknown> };
  error?: ActionErrorT;
}

export type ActionImpl = (params: Record<string, unknown>, ctx: ActionContext) => Promise<ActionOutcome>;

/** Implementations of one platform, keyed by action name. */
export type ActionImpls = Record<string, ActionImpl>;
