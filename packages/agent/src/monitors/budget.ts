/**
 * The monitors' shared CPU and memory budget, so a flood cannot turn the agent into a denial of
 * service. The agent's own CPU time (process.cpuUsage) and resident memory are sampled every few
 * seconds; over budget the monitors shed load — fewer events per second admitted (the rest are
 * counted, not processed), repeats flushed less often, no hashes of large files, no diffs, slower
 * scans — and the agent reports that it does, once when shedding starts and once when it ends,
 * as an `agent.monitor_shedding` alert. A directory whose watch is paused for flooding the monitors
 * (within budget too) is reported as an `agent.monitor_watch_paused` alert, once an hour per
 * directory. They never stop, crash or fall silent.
 */
import type { AlertEventBodyT } from '@vigil/protocol';

/** Limits of the budget. */
export interface BudgetLimits {
  /** Sustained CPU of the agent, percent of one core (default 5). */
  cpuPct: number;
  /** Resident memory of the agent in bytes (default 256 MiB). */
  rssBytes: number;
  /** Monitor events admitted per second while within budget (default 2000), and while shedding (default 200). */
  eventsPerSecond: number;
  sheddingEventsPerSecond: number;
}

/** The default limits. */
export const DEFAULT_BUDGET: BudgetLimits = {
  cpuPct: 5,
  rssBytes: 256 * 1024 * 1024,
  eventsPerSecond: 2000,
  sheddingEventsPerSecond: 200,
};

/** One measurement: CPU percent of one core since the last one, and resident bytes. */
export interface BudgetSample {
  cpuPct: number;
  rssBytes: number;
}

/** Measures this process (CPU since the previous call). */
export function processSampler(): () => BudgetSample {
  let last = process.cpuUsage();
  let lastAt = process.hrtime.bigint();
  return () => {
    const now = process.hrtime.bigint();
    const usage = process.cpuUsage(last);
    const elapsedUs = Number(now - lastAt) / 1000;
    last = process.cpuUsage();
    lastAt = now;
    const cpuPct = elapsedUs > 0 ? ((usage.user + usage.system) / elapsedUs) * 100 : 0;
    return { cpuPct, rssBytes: process.memoryUsage.rss() };
  };
}

/** What was shed while over budget. */
export interface SheddingCounts {
  events_dropped: number;
  hashes_skipped: number;
  diffs_skipped: number;
  /** Directory watches paused for a while because they flooded the monitors. */
  watches_paused: number;
}

/** Options of the budget. */
export interface BudgetOptions {
  limits?: Partial<BudgetLimits>;
  /** Measurement (default: this process). */
  sample?: () => BudgetSample;
  /** How often to measure (default 5 s). */
  intervalMs?: number;
  /** Where the shedding reports go (the outbox as alert.event items). */
  report(body: AlertEventBodyT): void;
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  now?: () => number;
}

/** A paused directory is reported at most once per this window (ms); repeats fold into it on the server. */
const PAUSE_REPORT_WINDOW_MS = 3_600_000;
/** Directories whose last pause report is remembered, at most. */
const MAX_PAUSE_REPORTS = 1000;

/** Normal and shedding settings of the monitors. */
const NORMAL = { flushMs: 2_000, hashBytes: 64 * 1024 * 1024, diffBytes: 256 * 1024, scanFactor: 1 };
const SHEDDING = { flushMs: 30_000, hashBytes: 1024 * 1024, diffBytes: 0, scanFactor: 5 };

/** The shared budget. */
export class MonitorBudget {
  readonly limits: BudgetLimits;
  private sheddingSince: number | null = null;
  private reason = '';
  private last: BudgetSample = { cpuPct: 0, rssBytes: 0 };
  private counts: SheddingCounts = {
    events_dropped: 0,
    hashes_skipped: 0,
    diffs_skipped: 0,
    watches_paused: 0,
  };
  private timer: NodeJS.Timeout | undefined;
  private readonly sample: () => BudgetSample;
  private readonly now: () => number;
  private windowStart = 0;
  private admitted = 0;
  /** Consecutive measurements under the recovery level (two end shedding: no flapping). */
  private calm = 0;
  /** When each paused directory was last reported, and its pauses since (not reported yet). */
  private readonly pauseReports = new Map<string, { at: number; pauses: number }>();

  constructor(private readonly options: BudgetOptions) {
    this.limits = { ...DEFAULT_BUDGET, ...options.limits };
    this.sample = options.sample ?? processSampler();
    this.now = options.now ?? Date.now;
  }

  /** Start measuring. */
  start(): void {
    this.timer = setInterval(() => this.measure(), this.options.intervalMs ?? 5_000);
    this.timer.unref();
  }

  /** Stop measuring (a shedding period in progress is reported as ended). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.sheddingSince !== null) this.end();
  }

  /** Whether the monitors are shedding load now. */
  get shedding(): boolean {
    return this.sheddingSince !== null;
  }

  /** Take one measurement and start or end shedding (public for tests and the interval). */
  measure(): BudgetSample {
    const s = this.sample();
    this.last = s;
    const cpuOver = s.cpuPct > this.limits.cpuPct;
    const rssOver = s.rssBytes > this.limits.rssBytes;
    if (cpuOver || rssOver) {
      this.calm = 0;
      if (this.sheddingSince === null) {
        this.reason = cpuOver
          ? `agent CPU ${s.cpuPct.toFixed(1)} % of one core is over the ${this.limits.cpuPct} % budget`
          : `agent memory ${Math.round(s.rssBytes / 1048576)} MiB is over the ${Math.round(this.limits.rssBytes / 1048576)} MiB budget`;
        this.begin();
      }
    } else if (this.sheddingSince !== null) {
      const calm = s.cpuPct < this.limits.cpuPct * 0.6 && s.rssBytes < this.limits.rssBytes * 0.9;
      this.calm = calm ? this.calm + 1 : 0;
      if (this.calm >= 2) this.end();
    }
    return s;
  }

  private begin(): void {
    this.sheddingSince = this.now();
    this.counts = { events_dropped: 0, hashes_skipped: 0, diffs_skipped: 0, watches_paused: 0 };
    this.options.log?.warn({ reason: this.reason }, 'monitors over budget: shedding load');
    this.emit(`Agent monitors shedding load: ${this.reason}`, 'started');
  }

  private end(): void {
    this.options.log?.info({ ...this.counts }, 'monitors back within budget');
    this.emit('Agent monitors back within budget after shedding load', 'ended');
    this.sheddingSince = null;
  }

  private emit(title: string, phase: 'started' | 'ended'): void {
    const at = this.now();
    this.options.report({
      rule: 'agent.monitor_shedding',
      severity: 'low',
      title,
      key: 'budget',
      window_s: 3600,
      count: 1,
      first_seen: this.sheddingSince ?? at,
      last_seen: at,
      context: {
        phase,
        reason: this.reason,
        since: new Date(this.sheddingSince ?? at).toISOString(),
        cpu_pct: Math.round(this.last.cpuPct * 10) / 10,
        rss_bytes: this.last.rssBytes,
        limits: { cpu_pct: this.limits.cpuPct, rss_bytes: this.limits.rssBytes },
        shed: { ...this.counts },
        measures: [
          `at most ${this.limits.sheddingEventsPerSecond} monitor events per second (the rest counted, not processed)`,
          `repeats flushed every ${SHEDDING.flushMs / 1000} s instead of ${NORMAL.flushMs / 1000} s`,
          `no hashes of files over ${SHEDDING.hashBytes} bytes, no diffs`,
          `scans ${SHEDDING.scanFactor} times less often`,
          `a directory sending more than ${this.limits.sheddingEventsPerSecond} events a second is not watched for 30 s, then each of its files is re-checked (paced, never dropped)`,
        ],
      },
    });
  }

  /**
   * Whether one more event may be processed now. Over the rate, events are counted as dropped:
   * the monitors keep running on a sample instead of queueing without bound.
   */
  admit(): boolean {
    const now = this.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.admitted = 0;
    }
    if (this.admitted < this.eventRate()) {
      this.admitted += 1;
      return true;
    }
    this.counts.events_dropped += 1;
    return false;
  }

  /** Monitor events admitted a second now (fewer while shedding). */
  eventRate(): number {
    return this.shedding ? this.limits.sheddingEventsPerSecond : this.limits.eventsPerSecond;
  }

  /** Record something skipped to save work. */
  note(what: 'events_dropped' | 'hashes_skipped' | 'diffs_skipped' | 'watches_paused'): void {
    this.counts[what] += 1;
  }

  /**
   * A directory's watch was paused for flooding the monitors: counted, and reported as an
   * `agent.monitor_watch_paused` alert the first time in an hour (the next report counts the
   * pauses of that directory since), so a flood that blinds a watch is never silent.
   */
  watchPaused(dir: string, pauseMs: number): void {
    this.note('watches_paused');
    const now = this.now();
    const last = this.pauseReports.get(dir);
    if (last && now - last.at < PAUSE_REPORT_WINDOW_MS) {
      last.pauses += 1;
      return;
    }
    if (!last && this.pauseReports.size >= MAX_PAUSE_REPORTS) this.pauseReports.clear();
    // This pause and those folded into the last report's hour after it was sent.
    const pauses = (last?.pauses ?? 0) + 1;
    this.pauseReports.set(dir, { at: now, pauses: 0 });
    this.options.report({
      rule: 'agent.monitor_watch_paused',
      severity: 'low',
      title: `Agent file monitor flooded: ${dir} not watched for ${Math.round(pauseMs / 1000)} s at a time, then re-checked`,
      key: dir,
      window_s: PAUSE_REPORT_WINDOW_MS / 1000,
      count: pauses,
      first_seen: now,
      last_seen: now,
      context: {
        dir,
        pause_ms: pauseMs,
        events_per_second_admitted: this.eventRate(),
        shedding: this.shedding,
        recheck: 'when the watch resumes, each file of the directory is compared with what was last seen',
      },
    });
  }

  /** What has been shed in the current (or last) shedding period. */
  shed(): SheddingCounts {
    return { ...this.counts };
  }

  /** Delay before counted repeats go out. */
  flushMs(): number {
    return (this.shedding ? SHEDDING : NORMAL).flushMs;
  }

  /** Largest file the file monitor hashes. */
  hashLimitBytes(): number {
    return (this.shedding ? SHEDDING : NORMAL).hashBytes;
  }

  /** Largest file the file monitor diffs (0: none). */
  diffLimitBytes(): number {
    return (this.shedding ? SHEDDING : NORMAL).diffBytes;
  }

  /** A scan interval, widened while shedding. */
  scanIntervalMs(baseMs: number): number {
    return baseMs * (this.shedding ? SHEDDING : NORMAL).scanFactor;
  }
}
