/**
 * The authentication monitor on a host that keeps no auth log file, only the systemd journal:
 * follows `journalctl -f -o json` (auth and authpriv facilities, from now on) as a child process
 * and turns each entry back into the syslog line rsyslog would have written, so the same parser
 * and rules apply. A child that exits is started again (with a growing pause), a line longer than
 * the limit is dropped, and the child is killed when the monitor stops.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { MonitorNameT } from '@vigil/protocol';
import type { MonitorBudget } from '../budget.js';
import type { EventSink, Monitor } from '../types.js';
import { AuthLines, MAX_LINE } from './auth-lines.js';

/** The journal's syslog facilities of authentication messages: auth (4) and authpriv (10). */
export const JOURNAL_AUTH_ARGS = [
  '--follow',
  '--output=json',
  '--lines=0',
  '--no-pager',
  '--quiet',
  'SYSLOG_FACILITY=4',
  'SYSLOG_FACILITY=10',
];
/** Longest JSON entry read (an entry with a huge field is dropped, not buffered without end). */
const MAX_ENTRY = 64 * 1024;
/** Pause before the child is started again after it exited: doubles up to the cap. */
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 60_000;

/** The text of a journal field: a string, or an array of bytes (non-UTF-8 or binary data). */
function text(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number'))
    return Buffer.from(v as number[]).toString('utf8');
  return null;
}

/**
 * The syslog line of one journal entry (`2026-12-07T16:00:00.000000+00:00 host sshd[123]: …`), or
 * null when it has no message. The time is the entry's realtime timestamp in microseconds.
 */
export function journalLine(entry: Record<string, unknown>): string | null {
  const message = text(entry.MESSAGE);
  if (message === null || message.length === 0) return null;
  const us = Number(text(entry.__REALTIME_TIMESTAMP) ?? Number.NaN);
  const when = Number.isFinite(us) ? new Date(Math.floor(us / 1000)) : new Date();
  const micros = Number.isFinite(us) ? String(us % 1_000_000).padStart(6, '0') : '000000';
  const time = `${when.toISOString().slice(0, 19)}.${micros}+00:00`;
  const host = text(entry._HOSTNAME) ?? 'localhost';
  const program = text(entry.SYSLOG_IDENTIFIER) ?? text(entry._COMM) ?? 'unknown';
  const pid = text(entry.SYSLOG_PID) ?? text(entry._PID);
  const firstLine = message.split('\n')[0] as string;
  return `${time} ${host} ${program}${pid ? `[${pid}]` : ''}: ${firstLine}`.slice(0, MAX_LINE);
}

/** Options of the journal monitor. */
export interface JournalAuthMonitorOptions {
  stateDir: string;
  budget: MonitorBudget;
  sink: EventSink;
  log: { warn(obj: object, msg?: string): void; info?(obj: object, msg?: string): void };
  /** The command and its arguments (default: journalctl with JOURNAL_AUTH_ARGS). */
  command?: [string, ...string[]];
  /** First pause before a restart (default 1 s). */
  restartMs?: number;
}

/** Follows the journal's authentication messages. */
export class JournalAuthMonitor implements Monitor {
  readonly name: MonitorNameT = 'auth';
  private child: ChildProcess | undefined;
  private readonly lines: AuthLines;
  private stopped = true;
  private restartTimer: NodeJS.Timeout | undefined;
  private pause: number;
  /** How many times the child was started (tests). */
  starts = 0;

  constructor(private readonly options: JournalAuthMonitorOptions) {
    this.lines = new AuthLines({ ...options, source: 'journal' });
    this.pause = options.restartMs ?? RESTART_MIN_MS;
  }

  /** The pid of the running child, if any (tests). */
  childPid(): number | undefined {
    return this.child?.pid;
  }

  /** Start following (from now on: the journal's history is not re-reported). */
  async start(): Promise<void> {
    this.stopped = false;
    this.spawn();
  }

  private spawn(): void {
    if (this.stopped) return;
    const [cmd, ...args] = this.options.command ?? ['journalctl', ...JOURNAL_AUTH_ARGS];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.starts += 1;
    const started = Date.now();
    let partial = '';
    let skipping = false;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      if (partial.length > MAX_ENTRY) {
        // One entry too long: drop it up to its end.
        partial = '';
        skipping = true;
      }
      for (const part of parts) {
        if (skipping) {
          skipping = false;
          continue;
        }
        this.entry(part);
      }
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 2048) stderr += chunk;
    });
    child.on('error', (err) => this.options.log.warn({ err: String(err) }, 'cannot run journalctl'));
    child.on('close', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.stopped) return;
      // A child that ran a while was healthy: start again soon; one that keeps failing, slower.
      if (Date.now() - started > RESTART_MAX_MS) this.pause = this.options.restartMs ?? RESTART_MIN_MS;
      this.options.log.warn(
        { code, signal, stderr: stderr.trim().slice(0, 512), restart_in_ms: this.pause },
        'journalctl exited; following the journal again',
      );
      this.restartTimer = setTimeout(() => this.spawn(), this.pause);
      this.restartTimer.unref();
      this.pause = Math.min(this.pause * 2, RESTART_MAX_MS);
    });
  }

  private entry(json: string): void {
    if (json.trim().length === 0) return;
    let entry: unknown;
    try {
      entry = JSON.parse(json);
    } catch {
      return;
    }
    if (!entry || typeof entry !== 'object') return;
    const line = journalLine(entry as Record<string, unknown>);
    if (line) this.lines.line(line);
  }

  /** Stop following and end the child. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const closed = new Promise<void>((r) => child.once('close', () => r()));
      child.kill('SIGTERM');
      await Promise.race([closed, new Promise<void>((r) => setTimeout(r, 2000).unref())]);
    }
  }
}
