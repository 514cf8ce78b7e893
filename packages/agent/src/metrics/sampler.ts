/**
 * The metrics sampler: takes a sample every 60 s by default, faster while the server says someone
 * watches the device (`metrics.rate`, a lease it renews), and back to the default when the lease
 * ends or the channel drops. Samples leave as durable `metrics.sample` outbox items: at the
 * default rate several samples share one item (fewer messages and acks for a fleet of idle
 * hosts); at a faster rate each sample goes at once, because someone is looking at it.
 */
import type { MetricSampleT } from '@vigil/protocol';
import {
  METRICS_DEFAULT_INTERVAL_S,
  METRICS_MAX_ENTITIES,
  METRICS_MAX_LEASE_MS,
  METRICS_MAX_SAMPLES_PER_ITEM,
} from '@vigil/protocol/agent-runtime';
import type { Log } from '../daemon/dispatch.js';
import type { Outbox } from '../daemon/outbox.js';
import type { TableContext } from '../tables/types.js';
import { computeSample } from './compute-sample.js';
import { type CounterReading, PROCESS_SOURCES, type ReadSources, readCounters } from './read-counters.js';

/** Options of a sampler. */
export interface MetricsSamplerOptions {
  outbox: Pick<Outbox, 'enqueue'>;
  log: Log;
  /** Filesystem root to read /proc, /sys and mounts under (a fixture tree in tests). */
  root?: string;
  /** Seconds between samples when nobody watches (default 60). */
  defaultIntervalS?: number;
  /** Samples per outbox item at the default rate (default 5, at most 30). */
  batchSamples?: number;
  /** Most mounts, disks and interfaces per sample (default and maximum 32). */
  entityLimit?: number;
  /** Clocks and the agent's own usage (tests inject their own). */
  sources?: ReadSources;
}

/** Distinct warnings remembered, so a missing file is logged once, not every second. */
const MAX_REMEMBERED_WARNINGS = 100;

/** Samples the host on a schedule and queues the samples for the server. */
export class MetricsSampler {
  private readonly root: string;
  private readonly defaultMs: number;
  private readonly batchSamples: number;
  private readonly entityLimit: number;
  private readonly sources: ReadSources;
  private previous: CounterReading | undefined;
  private pending: MetricSampleT[] = [];
  private intervalMs: number;
  private lease: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private nextDue = 0;
  private running = false;
  private readonly warned = new Set<string>();

  constructor(private readonly options: MetricsSamplerOptions) {
    this.root = options.root ?? '/';
    this.defaultMs = (options.defaultIntervalS ?? METRICS_DEFAULT_INTERVAL_S) * 1000;
    this.batchSamples = Math.min(METRICS_MAX_SAMPLES_PER_ITEM, Math.max(1, options.batchSamples ?? 5));
    this.entityLimit = Math.min(
      METRICS_MAX_ENTITIES,
      Math.max(1, options.entityLimit ?? METRICS_MAX_ENTITIES),
    );
    this.sources = options.sources ?? PROCESS_SOURCES;
    this.intervalMs = this.defaultMs;
  }

  /** Seconds between samples now. */
  get intervalS(): number {
    return this.intervalMs / 1000;
  }

  /** When the current faster rate ends (ms since the epoch), or null. */
  get leaseUntil(): number | null {
    return this.lease;
  }

  /** Samples taken but not yet queued in the outbox. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Take the baseline reading and start the schedule. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.previous = this.read();
    this.schedule(this.sources.mono() + this.intervalMs);
  }

  /** Stop sampling and queue what was sampled (it must survive the restart). */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    clearTimeout(this.leaseTimer);
    this.flush();
  }

  /**
   * Obey `metrics.rate`: sample every `intervalS` seconds, until `until` (ms since the epoch, a lease
   * of at most an hour) when given. Samples waiting for a batch leave at once, so a new viewer sees them.
   */
  setRate(intervalS: number, until?: number): void {
    clearTimeout(this.leaseTimer);
    this.leaseTimer = undefined;
    this.lease = null;
    if (until !== undefined) {
      const remaining = Math.min(until - this.sources.now(), METRICS_MAX_LEASE_MS);
      if (remaining <= 0) {
        this.resetRate('the rate lease had already ended');
        return;
      }
      this.lease = this.sources.now() + remaining;
      this.leaseTimer = setTimeout(() => this.resetRate('the rate lease ended'), remaining);
      this.leaseTimer.unref();
    }
    this.flush();
    this.changeInterval(intervalS * 1000);
  }

  /** Back to the default rate (the watch ended, the lease ran out, or the channel dropped). */
  resetRate(reason: string): void {
    clearTimeout(this.leaseTimer);
    this.leaseTimer = undefined;
    this.lease = null;
    if (this.intervalMs !== this.defaultMs)
      this.options.log.info({ reason }, 'metrics back to the default rate');
    this.changeInterval(this.defaultMs);
  }

  /** Take one sample now (against the previous reading), queue it by the batching rule, and return it. */
  sampleOnce(): MetricSampleT | null {
    const reading = this.read();
    const before = this.previous;
    this.previous = reading;
    if (!before) return null;
    const sample = computeSample(before, reading, this.entityLimit);
    this.pending.push(sample);
    if (this.intervalMs < this.defaultMs || this.pending.length >= this.batchSamples) this.flush();
    return sample;
  }

  /** Queue every pending sample durably, at most METRICS_MAX_SAMPLES_PER_ITEM per item. */
  flush(): void {
    while (this.pending.length > 0) {
      const samples = this.pending.splice(0, METRICS_MAX_SAMPLES_PER_ITEM);
      // Low priority: under outbox pressure, metrics give way to results and alerts.
      this.options.outbox.enqueue('metrics.sample', { samples }, 'low');
    }
  }

  private changeInterval(ms: number): void {
    if (ms === this.intervalMs) return;
    this.intervalMs = ms;
    if (this.running) this.schedule(this.sources.mono() + ms);
  }

  private schedule(due: number): void {
    clearTimeout(this.timer);
    this.nextDue = due;
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - this.sources.mono()));
    this.timer.unref();
  }

  private tick(): void {
    if (!this.running) return;
    try {
      this.sampleOnce();
    } catch (error) {
      this.options.log.error({ err: error }, 'metrics sample failed');
    }
    // Keep the cadence (due times, not "interval after the work"), but never try to catch up a backlog.
    const now = this.sources.mono();
    const next = this.nextDue + this.intervalMs;
    this.schedule(next > now ? next : now + this.intervalMs);
  }

  private read(): CounterReading {
    const ctx: TableContext = {
      root: this.root,
      warn: (message) => this.warn(message),
      hints: { equals: new Map(), like: new Map() },
      now: () => new Date(this.sources.now()),
    };
    return readCounters(ctx, this.sources, this.entityLimit);
  }

  private warn(message: string): void {
    if (this.warned.has(message) || this.warned.size >= MAX_REMEMBERED_WARNINGS) return;
    this.warned.add(message);
    this.options.log.warn({ warning: message }, 'metrics: part of a sample is unavailable');
  }
}
