/**
 * Storing samples: each new sample becomes a raw row, is added to its 1-minute and its 1-hour
 * roll-up (downsampling happens here, at ingest, by exact merges of sums, counts and maxima), and
 * may become the device's latest sample. A sample already stored (same device and timestamp) is
 * skipped, so a re-sent item never counts twice; the ingestor's message-id claim covers re-sends
 * older than the raw tier, and samples older than the 1-minute tier are refused outright.
 */
import type { MetricSampleT } from '@vigil/protocol';
import type { Kysely } from 'kysely';
import type { IngestSource } from '../../hub/ingest.js';
import { MetricsRepo, type RollupTable } from '../../store/repos/metrics.js';
import type { Database } from '../../store/schema.js';
import {
  addSample,
  type Bucket,
  bucketStart,
  decodeBucket,
  emptyBucket,
  encodeSeries,
  flattenSample,
  keptInRollups,
  mergeBucket,
} from './series.js';

/** How long each tier keeps its rows, in ms. */
export interface MetricsRetentionWindows {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
}

/** A sample stamped further ahead than this (a wrong agent clock) is refused: it would never expire. */
const FUTURE_TOLERANCE_MS = 10 * 60_000;

/** The roll-up tiers and their bucket widths. */
export const ROLLUP_TIERS: Array<{ table: RollupTable; widthMs: number }> = [
  { table: 'metric_rollups_1m', widthMs: 60_000 },
  { table: 'metric_rollups_1h', widthMs: 3_600_000 },
];

/** Samples the store takes: not older than the 1-minute tier keeps, not from the future. */
export function acceptedSamples(
  samples: MetricSampleT[],
  now: number,
  windows: MetricsRetentionWindows,
): MetricSampleT[] {
  return samples.filter((s) => s.ts >= now - windows.minuteMs && s.ts <= now + FUTURE_TOLERANCE_MS);
}

/** Store samples of one device; returns how many were new. */
export async function ingestSamples(
  db: Kysely<Database>,
  source: IngestSource,
  samples: MetricSampleT[],
  now: number,
  windows: MetricsRetentionWindows,
): Promise<number> {
  const accepted = acceptedSamples(samples, now, windows);
  if (accepted.length === 0) return 0;
  const repo = new MetricsRepo(db);
  const stored = new Set(
    await repo.insertRaw(
      accepted.map((s) => ({
        device_id: source.deviceId,
        account_id: source.accountId,
        ts: s.ts,
        sample: JSON.stringify(s),
      })),
    ),
  );
  // Set.delete is true once per timestamp: a duplicate inside the batch counts once too.
  const fresh = accepted.filter((s) => stored.delete(s.ts));
  if (fresh.length === 0) return 0;
  const flat = fresh.map((s) => ({ ts: s.ts, values: flattenSample(s) }));
  for (const tier of ROLLUP_TIERS) {
    const buckets = new Map<number, Bucket>();
    for (const f of flat) {
      const start = bucketStart(f.ts, tier.widthMs);
      let b = buckets.get(start);
      if (!b) {
        b = emptyBucket();
        buckets.set(start, b);
      }
      addSample(b, f.values, keptInRollups);
    }
    for (const row of await repo.rollups(tier.table, source.deviceId, [...buckets.keys()])) {
      const b = buckets.get(row.bucket);
      if (b) mergeBucket(b, decodeBucket(row.samples, row.series));
    }
    await repo.upsertRollups(
      tier.table,
      [...buckets].map(([bucket, b]) => ({
        device_id: source.deviceId,
        account_id: source.accountId,
        bucket,
        samples: b.samples,
        series: encodeSeries(b),
      })),
    );
  }
  const newest = fresh.reduce((a, b) => (b.ts > a.ts ? b : a));
  const fullest = newest.disks.reduce<MetricSampleT['disks'][number] | null>(
    (a, d) => (a === null || d.pct > a.pct ? d : a),
    null,
  );
  await repo.upsertLatest({
    device_id: source.deviceId,
    account_id: source.accountId,
    ts: newest.ts,
    cpu_pct: newest.cpu?.pct ?? null,
    mem_pct: newest.memory?.pct ?? null,
    disk_pct: fullest?.pct ?? null,
    disk_mount: fullest?.mount ?? null,
    load1: newest.load?.m1 ?? null,
    sample: JSON.stringify(newest),
  });
  return fresh.length;
}
