/**
 * Host metrics on the server: ingest `metrics.sample` items (see ingest-samples.ts), answer series
 * at the resolution a step calls for, the latest sample, the fleet roll-up, and fan samples out
 * to live followers.
 */
import { EventEmitter } from 'node:events';
import {
  type FleetMetricsQueryT,
  type FleetMetricsResponseT,
  type LatestMetricsResponseT,
  METRIC_SUMMARY_SERIES,
  METRICS_MAX_POINTS,
  type MetricResolutionT,
  type MetricSampleT,
  type MetricsQueryT,
  MetricsSampleBody,
  type MetricsSampleBodyT,
  type MetricsSeriesResponseT,
  VigilError,
} from '@vigil/protocol';
import type { Kysely } from 'kysely';
import type { AgentHub } from '../../hub/hub.js';
import type { IngestSource } from '../../hub/ingest.js';
import { MetricsRepo } from '../../store/repos/metrics.js';
import type { Database } from '../../store/schema.js';
import type { Services } from '../index.js';
import type { Principal } from '../principal.js';
import { acceptedSamples, ingestSamples, type MetricsRetentionWindows } from './ingest-samples.js';
import {
  addSample,
  type Bucket,
  bucketStart,
  decodeBucket,
  emptyBucket,
  flattenSample,
  matchesPattern,
  mergeBucket,
} from './series.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Points the series answer aims at when no step is given. */
const DEFAULT_POINTS = 300;

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Host metrics use cases. */
export class MetricsService {
  /** Accepted samples by device id: `events.on(deviceId, (sample) => …)`. */
  readonly events = new EventEmitter();

  constructor(
    private readonly services: Services,
    hub: AgentHub,
    readonly windows: MetricsRetentionWindows,
    private readonly now: () => number = Date.now,
  ) {
    this.events.setMaxListeners(0);
    hub.ingestor.register('metrics.sample', MetricsSampleBody, (trx, source, body) =>
      this.ingest(trx, source, body as MetricsSampleBodyT),
    );
    hub.ingestor.on('metrics.sample', (source: IngestSource, body: MetricsSampleBodyT) => {
      if (this.events.listenerCount(source.deviceId) === 0) return;
      for (const s of acceptedSamples(body.samples, this.now(), this.windows))
        this.events.emit(source.deviceId, s);
    });
  }

  /** Store one item's samples (inside the ingest transaction). */
  async ingest(trx: Kysely<Database>, source: IngestSource, body: MetricsSampleBodyT): Promise<void> {
    await ingestSamples(trx, source, body.samples, this.now(), this.windows);
  }

  /** Pick the tier for a step, coarser when the range starts before the tier's retention. */
  private resolution(stepS: number, from: number): { resolution: MetricResolutionT; stepMs: number } {
    const now = this.now();
    let resolution: MetricResolutionT = stepS < 60 ? 'raw' : stepS < 3600 ? '1m' : '1h';
    // A minute of slack: "the last hour" asked a moment later should still read raw samples.
    if (resolution === 'raw' && from < now - this.windows.rawMs - MINUTE_MS) resolution = '1m';
    if (resolution === '1m' && from < now - this.windows.minuteMs - MINUTE_MS) resolution = '1h';
    const tierMs = resolution === 'raw' ? 1000 : resolution === '1m' ? MINUTE_MS : HOUR_MS;
    const stepMs = Math.ceil(Math.max(stepS * 1000, tierMs) / tierMs) * tierMs;
    return { resolution, stepMs };
  }

  /** A device's series over a range, bucketed by step. */
  async series(p: Principal, deviceId: string, q: MetricsQueryT): Promise<MetricsSeriesResponseT> {
    const device = await this.services.devices.getRow(p, deviceId);
    const to = q.to ? Date.parse(q.to) : this.now();
    const from = q.from ? Date.parse(q.from) : to - HOUR_MS;
    if (!(from < to)) throw new VigilError('E_VALIDATION', "'from' must be before 'to'");
    const requested = q.step ?? Math.max(1, Math.ceil((to - from) / 1000 / DEFAULT_POINTS));
    const { resolution, stepMs } = this.resolution(requested, from);
    const points = Math.ceil((to - from) / stepMs);
    if (points > METRICS_MAX_POINTS) {
      const least = Math.ceil((to - from) / 1000 / METRICS_MAX_POINTS);
      throw new VigilError(
        'E_VALIDATION',
        `${points} points of ${stepMs / 1000} s are too many (at most ${METRICS_MAX_POINTS}): use step=${least} or more, or a shorter range`,
      );
    }
    const patterns = q.series
      ? q.series
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : [...METRIC_SUMMARY_SERIES];
    const repo = new MetricsRepo(this.services.store.db);
    const buckets = new Map<number, Bucket>();
    const bucketAt = (ts: number) => {
      const start = bucketStart(ts, stepMs);
      let b = buckets.get(start);
      if (!b) {
        b = emptyBucket();
        buckets.set(start, b);
      }
      return b;
    };
    const keep = (key: string) => matchesPattern(key, patterns);
    // Rows are read from the first bucket's start, so the first point is whole.
    const start = bucketStart(from, stepMs);
    if (resolution === 'raw') {
      for (const row of await repo.raw(device.id, start, to))
        addSample(bucketAt(row.ts), flattenSample(JSON.parse(row.sample) as MetricSampleT), keep);
    } else {
      const table = resolution === '1m' ? 'metric_rollups_1m' : 'metric_rollups_1h';
      for (const row of await repo.rollupRange(table, device.id, start, to)) {
        const b = decodeBucket(row.samples, row.series);
        for (const key of [...b.series.keys()]) if (!keep(key)) b.series.delete(key);
        mergeBucket(bucketAt(row.bucket), b);
      }
    }
    const starts = [...buckets.keys()].sort((a, b) => a - b);
    const keys = new Set<string>();
    for (const b of buckets.values()) for (const k of b.series.keys()) keys.add(k);
    const series: MetricsSeriesResponseT['series'] = {};
    for (const key of [...keys].sort()) {
      const avg: Array<number | null> = [];
      const max: Array<number | null> = [];
      for (const s of starts) {
        const a = buckets.get(s)?.series.get(key);
        avg.push(a ? round(a.sum / a.count) : null);
        max.push(a ? round(a.max) : null);
      }
      series[key] = { avg, max };
    }
    return {
      device_id: device.id,
      resolution,
      step_s: stepMs / 1000,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      t: starts,
      samples: starts.map((s) => buckets.get(s)?.samples ?? 0),
      series,
    };
  }

  /** The newest sample the server holds for a device. */
  async latest(p: Principal, deviceId: string): Promise<LatestMetricsResponseT> {
    const device = await this.services.devices.getRow(p, deviceId);
    const row = await new MetricsRepo(this.services.store.db).latest(p.accountId, device.id);
    if (!row)
      throw new VigilError(
        'E_NOT_FOUND',
        `device ${device.id} has sent no metrics yet (its agent samples every minute once it is online)`,
      );
    return {
      device_id: device.id,
      sampled_at: new Date(row.ts).toISOString(),
      sample: JSON.parse(row.sample) as MetricSampleT,
    };
  }

  /** Devices above thresholds by their latest sample (all devices with a sample when none is given). */
  async fleet(p: Principal, q: FleetMetricsQueryT): Promise<FleetMetricsResponseT> {
    const orderBy =
      q.cpu_above !== undefined
        ? 'cpu_pct'
        : q.disk_above !== undefined
          ? 'disk_pct'
          : q.mem_above !== undefined
            ? 'mem_pct'
            : 'cpu_pct';
    const { rows, total } = await new MetricsRepo(this.services.store.db).fleet(p.accountId, {
      ...(q.cpu_above !== undefined ? { cpuAbove: q.cpu_above } : {}),
      ...(q.disk_above !== undefined ? { diskAbove: q.disk_above } : {}),
      ...(q.mem_above !== undefined ? { memAbove: q.mem_above } : {}),
      ...(q.max_age_s !== undefined ? { since: this.now() - q.max_age_s * 1000 } : {}),
      orderBy,
      limit: q.limit ?? 100,
    });
    return {
      total,
      items: rows.map((r) => {
        const above: Array<'cpu' | 'disk' | 'mem'> = [];
        if (q.cpu_above !== undefined && r.cpu_pct !== null && r.cpu_pct > q.cpu_above) above.push('cpu');
        if (q.disk_above !== undefined && r.disk_pct !== null && r.disk_pct > q.disk_above)
          above.push('disk');
        if (q.mem_above !== undefined && r.mem_pct !== null && r.mem_pct > q.mem_above) above.push('mem');
        return {
          device_id: r.device_id,
          hostname: r.hostname,
          status: r.status,
          sampled_at: new Date(r.ts).toISOString(),
          cpu_pct: r.cpu_pct,
          mem_pct: r.mem_pct,
          disk_pct: r.disk_pct,
          disk_mount: r.disk_mount,
          load1: r.load1,
          above,
        };
      }),
    };
  }
}
