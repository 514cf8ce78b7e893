/**
 * Threshold alerts from host metrics: a mount fuller than the disk threshold, or memory use above
 * the memory threshold, raises an alert through the alert service, one per device and mount (or
 * per device for memory), coalesced for as long as the condition lasts; it resolves itself once the
 * value drops HYSTERESIS_POINTS below the threshold, so a value hovering at the line does not
 * flap. Samples are judged after the ingest transaction committed (the ingestor's event), never
 * inside it: an alert never holds up, or rolls back with, a batch of samples.
 */
import type { MetricSampleT, MetricsSampleBodyT } from '@vigil/protocol';
import type { AgentHub } from '../../hub/hub.js';
import type { IngestSource } from '../../hub/ingest.js';
import { AlertsRepo } from '../../store/repos/alerts.js';
import type { Services } from '../index.js';
import { acceptedSamples, type MetricsRetentionWindows } from './ingest-samples.js';

/** Rule of the disk alert (key: device and mount). */
export const DISK_RULE = 'metrics.disk_usage_high';
/** Rule of the memory alert (key: device). */
export const MEMORY_RULE = 'metrics.memory_usage_high';
/** Points below the threshold a value must fall before the alert resolves itself. */
export const HYSTERESIS_POINTS = 5;
/** While a condition lasts, the alert is refreshed (count, last seen, current value) at most this often. */
export const REFRESH_MS = 10 * 60_000;
/** One alert per condition period, however long it lasts: the window outlives any period. */
const ONE_PERIOD_S = 10 * 365 * 86_400;

/** Thresholds in percent; 0 turns a kind off. */
export interface MetricThresholdOptions {
  diskPct: number;
  memoryPct: number;
}

/** One watched condition of a sample. */
interface Reading {
  rule: string;
  key: string;
  pct: number;
  threshold: number;
  title: string;
  context: Record<string, unknown>;
}

/** Per device: the coalescing keys with an unresolved alert, and when each was last raised here. */
type OpenKeys = Map<string, number>;

/** Raises and resolves metric threshold alerts. */
export class MetricThresholds {
  private readonly open = new Map<string, OpenKeys>();
  /** Per device, the evaluation in progress: samples of one device are judged in order. */
  private readonly queue = new Map<string, Promise<void>>();

  constructor(
    private readonly services: Services,
    hub: AgentHub,
    private readonly windows: MetricsRetentionWindows,
    readonly options: MetricThresholdOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (options.diskPct <= 0 && options.memoryPct <= 0) return;
    hub.ingestor.on('metrics.sample', (source: IngestSource, body: MetricsSampleBodyT) => {
      const newest = acceptedSamples(body.samples, this.now(), this.windows).at(-1);
      if (newest) void this.enqueue(source, newest);
    });
    // A device that reconnects may have been judged by another node meanwhile: reload its state.
    hub.onAttach(async (deviceId) => {
      this.open.delete(deviceId);
    });
  }

  /** Judge one sample after those of the same device queued before it. */
  enqueue(source: IngestSource, sample: MetricSampleT): Promise<void> {
    const before = this.queue.get(source.deviceId) ?? Promise.resolve();
    const next = before
      .then(() => this.evaluate(source, sample))
      .catch((error: unknown) =>
        this.services.log.error(
          { err: error, device: source.deviceId },
          'metric threshold alert failed; the next sample is judged again',
        ),
      );
    this.queue.set(source.deviceId, next);
    void next.finally(() => {
      if (this.queue.get(source.deviceId) === next) this.queue.delete(source.deviceId);
    });
    return next;
  }

  /** Wait until every queued sample was judged (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queue.size > 0) await Promise.all([...this.queue.values()]);
  }

  /** Raise what is above its threshold; resolve what fell below threshold − hysteresis. */
  async evaluate(source: IngestSource, sample: MetricSampleT): Promise<void> {
    const open = await this.openKeys(source);
    const at = this.now();
    for (const r of this.readings(source.deviceId, sample)) {
      const raisedAt = open.get(r.key);
      if (r.pct > r.threshold) {
        if (raisedAt !== undefined && at - raisedAt < REFRESH_MS) continue;
        await this.services.alerts.raise({
          account_id: source.accountId,
          device_id: source.deviceId,
          rule: r.rule,
          severity: 'medium',
          title: r.title,
          key: r.key,
          window_s: ONE_PERIOD_S,
          context: {
            ...r.context,
            pct: r.pct,
            threshold_pct: r.threshold,
            sampled_at: new Date(sample.ts).toISOString(),
          },
        });
        open.set(r.key, at);
      } else if (raisedAt !== undefined && r.pct < r.threshold - HYSTERESIS_POINTS) {
        await this.services.alerts.resolveAutomatically({
          account_id: source.accountId,
          device_id: source.deviceId,
          rule: r.rule,
          key: r.key,
          reason: `${r.context.what} is at ${round(r.pct)} %, below ${r.threshold - HYSTERESIS_POINTS} % (threshold ${r.threshold} % minus ${HYSTERESIS_POINTS} points)`,
        });
        open.delete(r.key);
      }
    }
    // A mount that vanished (unmounted, or left out of the sample) cannot drop below its line: an
    // alert about it stays until someone resolves it, and is not re-raised here.
  }

  /** The conditions a sample shows, each with its coalescing key. */
  private readings(deviceId: string, sample: MetricSampleT): Reading[] {
    const out: Reading[] = [];
    if (this.options.diskPct > 0)
      for (const d of sample.disks)
        out.push({
          rule: DISK_RULE,
          key: `${deviceId}:disk:${d.mount}`,
          pct: d.pct,
          threshold: this.options.diskPct,
          title: `Disk ${d.mount} is ${round(d.pct)} % full (threshold ${this.options.diskPct} %)`,
          context: {
            what: `disk ${d.mount}`,
            mount: d.mount,
            device: d.device,
            fstype: d.fstype,
            size: d.size,
            used: d.used,
            available: d.available,
          },
        });
    if (this.options.memoryPct > 0 && sample.memory)
      out.push({
        rule: MEMORY_RULE,
        key: `${deviceId}:memory`,
        pct: sample.memory.pct,
        threshold: this.options.memoryPct,
        title: `Memory use is ${round(sample.memory.pct)} % (threshold ${this.options.memoryPct} %)`,
        context: {
          what: 'memory use',
          total: sample.memory.total,
          used: sample.memory.used,
          available: sample.memory.available,
        },
      });
    return out;
  }

  /** The device's unresolved threshold alerts, read from the store once and then kept here. */
  private async openKeys(source: IngestSource): Promise<OpenKeys> {
    let open = this.open.get(source.deviceId);
    if (open) return open;
    open = new Map();
    const repo = new AlertsRepo(this.services.store.db);
    // Known open, raised long enough ago that the next sample above the line refreshes it.
    for (const rule of [DISK_RULE, MEMORY_RULE])
      for (const a of await repo.unresolvedOf(source.accountId, rule, source.deviceId))
        open.set(a.coalesce_key, 0);
    this.open.set(source.deviceId, open);
    return open;
  }
}

function round(pct: number): number {
  return Math.round(pct * 10) / 10;
}
