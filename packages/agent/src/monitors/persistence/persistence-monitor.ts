/**
 * The persistence monitor: kernel modules loaded since the agent started (/proc/modules through
 * the kernel_modules collector, compared every few seconds) and new setuid/setgid files (the
 * suid_bin collector's bounded walk of binary, library, temp and home directories, compared every hour:
 * a walk costs seconds of disk and CPU, so it runs rarely and never while shedding load). New
 * cron jobs, systemd units and ld.so.preload are file monitor events with their own rules.
 */
import type { MonitorNameT } from '@vigil/protocol';
import { kernelModules } from '../../tables/collectors/kernel-modules.js';
import { suidBin } from '../../tables/collectors/suid-bin.js';
import type { MonitorBudget } from '../budget.js';
import { collectorContext } from '../collector-context.js';
import type { EventSink, Monitor } from '../types.js';

/** Options of the persistence monitor. */
export interface PersistenceMonitorOptions {
  root: string;
  budget: MonitorBudget;
  sink: EventSink;
  log: { warn(obj: object, msg?: string): void };
  /** Module check interval (default 10 s). */
  modulesIntervalMs?: number;
  /**
   * Setuid walk interval (default 1 h); the first walk (the baseline) starts after `suidDelayMs`
   * (default 10 min: a walk costs about a second of CPU, kept out of the agent's start).
   */
  suidIntervalMs?: number;
  suidDelayMs?: number;
}

/** Watches for new kernel modules and setuid files. */
export class PersistenceMonitor implements Monitor {
  readonly name: MonitorNameT = 'persistence';
  private modules: Set<string> | undefined;
  private suid: Map<string, { username: string; permissions: string }> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopped = true;

  constructor(private readonly options: PersistenceMonitorOptions) {}

  /** Take the modules loaded now as known; the setuid baseline is walked a little later. */
  async start(): Promise<void> {
    this.stopped = false;
    this.modules = this.readModules();
    this.loop(() => this.checkModules(), this.options.modulesIntervalMs ?? 10_000);
    const first = setTimeout(() => {
      this.checkSuid();
      this.loop(() => this.checkSuid(), this.options.suidIntervalMs ?? 3600_000);
    }, this.options.suidDelayMs ?? 600_000);
    first.unref();
    this.timers.push(first);
  }

  /** Stop checking. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private loop(fn: () => void, baseMs: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      try {
        fn();
      } catch (error) {
        this.options.log.warn({ err: String(error) }, 'persistence check failed');
      }
      this.timers = this.timers.filter((x) => x !== t);
      this.loop(fn, baseMs);
    }, this.options.budget.scanIntervalMs(baseMs));
    t.unref();
    this.timers.push(t);
  }

  private readModules(): Set<string> {
    return new Set(
      [...kernelModules.collect(collectorContext(this.options.root))].map((r) => String(r.name)),
    );
  }

  /** Report modules that appeared since the last check (public for tests). */
  checkModules(): number {
    const now = this.readModules();
    const before = this.modules ?? now;
    this.modules = now;
    let n = 0;
    for (const name of now) {
      if (before.has(name)) continue;
      n += 1;
      this.options.sink({
        monitor: 'persistence',
        at: Date.now(),
        fields: { type: 'module_loaded', module: name },
        summary: name,
        context: { module: { name, loaded_after_agent_start: true } },
      });
    }
    return n;
  }

  /** Walk for setuid files and report new ones; the first walk only records (public for tests). */
  checkSuid(): number {
    if (this.options.budget.shedding && this.suid) return 0;
    const now = new Map<string, { username: string; permissions: string }>();
    for (const r of suidBin.collect(collectorContext(this.options.root)))
      now.set(String(r.path), { username: String(r.username), permissions: String(r.permissions) });
    const before = this.suid;
    this.suid = now;
    if (!before) return 0;
    let n = 0;
    for (const [path, info] of now) {
      if (before.has(path)) continue;
      n += 1;
      this.options.sink({
        monitor: 'persistence',
        at: Date.now(),
        fields: { type: 'suid_new', path, owner: info.username, permissions: info.permissions },
        summary: `${path} (${info.permissions === 'S' ? 'setuid' : info.permissions === 'G' ? 'setgid' : 'setuid+setgid'} ${info.username})`,
        context: { file: { path, owner: info.username, permissions: info.permissions } },
      });
    }
    return n;
  }
}
