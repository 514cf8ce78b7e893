/**
 * The run marker: `run.json` in the state directory says an agent process is running — its pid,
 * when it started, its version, the host's boot id, and when it last showed it was alive. A clean
 * stop removes it; so a marker found at start means the previous run ended without one (killed,
 * crashed, or the host lost power), which the agent reports as `agent.restarted` with the
 * previous run's details. The marker's "alive" time is refreshed every minute, so the report says
 * about when the previous run died.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertEventBodyT } from '@vigil/protocol';

const MARKER = 'run.json';
/** How often the marker's alive time is refreshed. */
const ALIVE_EVERY_MS = 60_000;

/** What the marker holds. */
export interface RunRecord {
  pid: number;
  started_at: string;
  alive_at: string;
  version: string;
  /** The kernel's boot id: a different one now means the host restarted too. */
  boot_id: string | null;
}

function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function readRecord(path: string): RunRecord | 'unreadable' | null {
  if (!existsSync(path)) return null;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunRecord>;
    if (typeof r.pid !== 'number' || typeof r.started_at !== 'string') return 'unreadable';
    return {
      pid: r.pid,
      started_at: r.started_at,
      alive_at: typeof r.alive_at === 'string' ? r.alive_at : r.started_at,
      version: typeof r.version === 'string' ? r.version : 'unknown',
      boot_id: typeof r.boot_id === 'string' ? r.boot_id : null,
    };
  } catch {
    return 'unreadable';
  }
}

/**
 * The `agent.restarted` alert for a previous run that did not stop cleanly: medium when the agent
 * alone died (killed or crashed: a tamper sign), low when the host itself restarted.
 */
export function restartAlert(previous: RunRecord | 'unreadable', current: RunRecord): AlertEventBodyT {
  const now = Date.now();
  const hostRestarted =
    previous !== 'unreadable' && previous.boot_id !== null && current.boot_id !== null
      ? previous.boot_id !== current.boot_id
      : null;
  const how =
    hostRestarted === true
      ? 'the host restarted without stopping it'
      : 'it was killed or crashed (no clean stop)';
  const since =
    previous === 'unreadable' ? '' : ` — previous run pid ${previous.pid}, last alive ${previous.alive_at}`;
  return {
    rule: 'agent.restarted',
    severity: hostRestarted === true ? 'low' : 'medium',
    title: `Agent restarted after an unclean stop: ${how}${since}`.slice(0, 300),
    key: 'restart',
    window_s: 3600,
    count: 1,
    first_seen: now,
    last_seen: now,
    context: {
      previous_run: previous === 'unreadable' ? { unreadable: true } : previous,
      current_run: current,
      host_restarted: hostRestarted,
    },
  };
}

/** The marker of this process: written at start, kept alive, removed on a clean stop. */
export class RunMarker {
  private readonly path: string;
  private readonly record: RunRecord;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    stateDir: string,
    version: string,
    private readonly aliveEveryMs = ALIVE_EVERY_MS,
  ) {
    this.path = join(stateDir, MARKER);
    const now = new Date().toISOString();
    this.record = { pid: process.pid, started_at: now, alive_at: now, version, boot_id: bootId() };
  }

  /**
   * Write this run's marker; returns the alert for the previous run when it ended without a clean
   * stop (its marker was still there), or null.
   */
  begin(): AlertEventBodyT | null {
    const previous = readRecord(this.path);
    this.write();
    this.timer = setInterval(() => {
      this.record.alive_at = new Date().toISOString();
      try {
        this.write();
      } catch {
        // a full disk must not stop the agent; the marker keeps its last alive time
      }
    }, this.aliveEveryMs);
    this.timer.unref();
    return previous === null ? null : restartAlert(previous, this.record);
  }

  private write(): void {
    const tmp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(this.record), { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  /** A clean stop: remove the marker (the next start reports nothing). */
  end(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    rmSync(this.path, { force: true });
  }
}
