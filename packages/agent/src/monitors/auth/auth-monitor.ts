/**
 * The authentication monitor: follows the auth log (inotify on its directory, so rotation and a
 * log created later are seen; a slow stat every few seconds as a safety net) from its end at
 * start, and turns each line a rule needs into an event. SSH logins also say whether the user
 * came from an address the agent had not seen them log in from before.
 */
import { closeSync, existsSync, type FSWatcher, openSync, readSync, statSync, watch } from 'node:fs';
import { posix } from 'node:path';
import type { MonitorNameT } from '@vigil/protocol';
import { findProgram } from '../../tables/collectors/command-runner.js';
import { resolveIn } from '../../tables/fs-helpers.js';
import type { MonitorBudget } from '../budget.js';
import type { EventSink, Monitor } from '../types.js';
import { AuthLines, MAX_LINE } from './auth-lines.js';

/** Bytes read per step; a burst of log lines is read in several steps. */
const CHUNK_BYTES = 256 * 1024;
/** Steps per wake-up (the rest is read at the next one): a flood cannot hold the event loop. */
const MAX_STEPS = 16;

/** The auth log of a root: the configured one, else /var/log/auth.log, else /var/log/secure when only it exists. */
export function defaultAuthLog(root: string, configured?: string): string {
  if (configured) return configured;
  if (!existsSync(resolveIn(root, '/var/log/auth.log')) && existsSync(resolveIn(root, '/var/log/secure')))
    return '/var/log/secure';
  return '/var/log/auth.log';
}

/**
 * Where the auth monitor reads: the configured log, or a log file that exists, or — on the host
 * (root /) with neither /var/log/auth.log nor /var/log/secure and journalctl installed — the
 * systemd journal. Otherwise the default file, followed once it appears.
 */
export function authSourceOf(
  root: string,
  configured?: string,
  hasJournalctl: () => boolean = () => findProgram('journalctl') !== null,
): { kind: 'file'; path: string } | { kind: 'journal' } {
  if (configured) return { kind: 'file', path: configured };
  const noFile = ['/var/log/auth.log', '/var/log/secure'].every((p) => !existsSync(resolveIn(root, p)));
  if (noFile && root === '/' && hasJournalctl()) return { kind: 'journal' };
  return { kind: 'file', path: defaultAuthLog(root) };
}

/** Options of the auth monitor. */
export interface AuthMonitorOptions {
  root: string;
  /** The log, as a path on the host (under the root). */
  path: string;
  stateDir: string;
  budget: MonitorBudget;
  sink: EventSink;
  log: { warn(obj: object, msg?: string): void };
  /** Safety-net stat interval (default 5 s). */
  pollMs?: number;
}

/** Follows the auth log. */
export class AuthMonitor implements Monitor {
  readonly name: MonitorNameT = 'auth';
  private readonly file: string;
  private offset = 0;
  private ino = -1;
  private partial = '';
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private again = false;
  private readonly lines: AuthLines;

  constructor(private readonly options: AuthMonitorOptions) {
    this.file = resolveIn(options.root, options.path);
    this.lines = new AuthLines({ ...options, source: options.path });
  }

  /** Start at the end of the log (history is not re-reported) and follow it. */
  async start(): Promise<void> {
    try {
      const st = statSync(this.file);
      this.offset = st.size;
      this.ino = st.ino;
    } catch {
      this.offset = 0;
      this.ino = -1;
    }
    const dir = posix.dirname(this.file);
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (!name || name === posix.basename(this.file)) this.wake();
      });
      this.watcher.on('error', (err) => this.options.log.warn({ err: String(err) }, 'auth log watch failed'));
    } catch (error) {
      this.options.log.warn({ err: String(error), dir }, 'cannot watch the auth log directory; polling it');
    }
    this.timer = setInterval(
      () => this.wake(),
      this.options.budget.scanIntervalMs(this.options.pollMs ?? 5000),
    );
    this.timer.unref();
  }

  /** Stop following. */
  async stop(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Read what was appended (public for tests: they need not wait for inotify). */
  wake(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      this.readNew();
    } catch (error) {
      this.options.log.warn({ err: String(error) }, 'reading the auth log failed');
    } finally {
      this.reading = false;
    }
    if (this.again) {
      this.again = false;
      setImmediate(() => this.wake());
    }
  }

  private readNew(): void {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(this.file);
    } catch {
      this.ino = -1;
      this.offset = 0;
      this.partial = '';
      return;
    }
    if (st.ino !== this.ino || st.size < this.offset) {
      // Rotated (a new file) or truncated: read the new file from its start.
      this.ino = st.ino;
      this.offset = 0;
      this.partial = '';
    }
    if (st.size === this.offset) return;
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(CHUNK_BYTES);
      for (let step = 0; step < MAX_STEPS && this.offset < st.size; step++) {
        const n = readSync(fd, buf, 0, Math.min(CHUNK_BYTES, st.size - this.offset), this.offset);
        if (n <= 0) break;
        this.offset += n;
        const text = this.partial + buf.toString('utf8', 0, n);
        const lines = text.split('\n');
        this.partial = (lines.pop() ?? '').slice(-MAX_LINE);
        for (const line of lines) this.lines.line(line.slice(0, MAX_LINE));
      }
      if (this.offset < st.size) this.again = true;
    } finally {
      closeSync(fd);
    }
  }
}
