/**
 * Host metrics in the API: a device's time series at a resolution chosen from the step, its
 * latest sample, the live stream, and the fleet roll-up of devices above thresholds.
 *
 * Series keys. Summary series (one per device) are listed in METRIC_SUMMARY_SERIES; detail series
 * carry the entity after a colon: `cpu:<core>`, `disk.pct:<mount>`, `disk.used:<mount>`,
 * `io.read_bps:<device>`, `io.write_bps:<device>`, `net.rx_bps:<interface>`,
 * `net.tx_bps:<interface>`. Units: percent, bytes, bytes per second, processes.
 */
import Type, { type Static } from 'typebox';
import { MetricSample } from '../agent/metrics.js';
import { Id, Timestamp } from './common.js';

/** Storage tiers, finest first: every sample, 1-minute and 1-hour roll-ups. */
export const METRIC_RESOLUTIONS = ['raw', '1m', '1h'] as const;
export type MetricResolutionT = (typeof METRIC_RESOLUTIONS)[number];

/** The per-device summary series, in the order charts show them. */
export const METRIC_SUMMARY_SERIES = [
  'cpu',
  'mem.pct',
  'mem.used',
  'mem.total',
  'swap.pct',
  'swap.used',
  'load.1',
  'load.5',
  'load.15',
  'disk.pct',
  'io.read_bps',
  'io.write_bps',
  'net.rx_bps',
  'net.tx_bps',
  'processes',
  'agent.cpu',
  'agent.rss',
] as const;
export type MetricSummarySeriesT = (typeof METRIC_SUMMARY_SERIES)[number];

/** Most points (buckets) one series answer may hold; a longer range needs a larger step. */
export const METRICS_MAX_POINTS = 5000;

/** GET /api/v1/devices/:id/metrics query. */
export const MetricsQuery = Type.Object(
  {
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    step: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 30 * 86_400,
        description:
          'Seconds per point. Under 60 reads raw samples, under 3600 the 1-minute tier, else the 1-hour tier; ' +
          'a range older than a tier keeps is read from the next coarser tier. Default: about 300 points.',
      }),
    ),
    series: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description:
          'Comma-separated series keys; a key ending in * matches by prefix (e.g. cpu,disk.pct:*). ' +
          'Default: the summary series.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type MetricsQueryT = Static<typeof MetricsQuery>;

/** One series over the answer's buckets: the mean and the highest value in each (null where absent). */
export const MetricSeriesValues = Type.Object({
  avg: Type.Array(Type.Union([Type.Number(), Type.Null()])),
  max: Type.Array(Type.Union([Type.Number(), Type.Null()])),
});

/** A device's metrics over a time range, column-wise (one array per series, aligned with `t`). */
export const MetricsSeriesResponse = Type.Object({
  device_id: Id,
  resolution: Type.Enum(METRIC_RESOLUTIONS),
  step_s: Type.Integer(),
  from: Timestamp,
  to: Timestamp,
  /** Start of each non-empty bucket, ms since the epoch; empty buckets are left out. */
  t: Type.Array(Type.Integer()),
  /** Samples behind each bucket. */
  samples: Type.Array(Type.Integer()),
  series: Type.Record(Type.String(), MetricSeriesValues),
});
export type MetricsSeriesResponseT = Static<typeof MetricsSeriesResponse>;

/** GET /api/v1/devices/:id/metrics/latest answer: the newest sample the server holds. */
export const LatestMetricsResponse = Type.Object({
  device_id: Id,
  sampled_at: Timestamp,
  sample: MetricSample,
});
export type LatestMetricsResponseT = Static<typeof LatestMetricsResponse>;

/** An event of GET /api/v1/devices/:id/metrics/stream (server-sent events, `event: sample`). */
export const MetricsStreamEvent = Type.Object({
  device_id: Id,
  sample: MetricSample,
});
export type MetricsStreamEventT = Static<typeof MetricsStreamEvent>;

const Threshold = Type.Number({ minimum: 0, maximum: 100 });

/** GET /api/v1/metrics/fleet query: thresholds in percent; a device above any of them is listed. */
export const FleetMetricsQuery = Type.Object(
  {
    cpu_above: Type.Optional(Threshold),
    disk_above: Type.Optional(Threshold),
    mem_above: Type.Optional(Threshold),
    max_age_s: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 90 * 86_400,
        description: 'Ignore devices whose latest sample is older than this',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);
export type FleetMetricsQueryT = Static<typeof FleetMetricsQuery>;

/** Which threshold a device is above. */
export const FLEET_THRESHOLDS = ['cpu', 'disk', 'mem'] as const;

/** One device of the fleet roll-up, from its latest sample. */
export const FleetMetricsItem = Type.Object({
  device_id: Id,
  hostname: Type.String(),
  status: Type.String(),
  sampled_at: Timestamp,
  cpu_pct: Type.Union([Type.Number(), Type.Null()]),
  mem_pct: Type.Union([Type.Number(), Type.Null()]),
  disk_pct: Type.Union([Type.Number(), Type.Null()]),
  /** The fullest mount (the one `disk_pct` is of). */
  disk_mount: Type.Union([Type.String(), Type.Null()]),
  load1: Type.Union([Type.Number(), Type.Null()]),
  above: Type.Array(Type.Enum(FLEET_THRESHOLDS)),
});
export type FleetMetricsItemT = Static<typeof FleetMetricsItem>;

/** The fleet roll-up: matching devices, most loaded first, and how many matched in all. */
export const FleetMetricsResponse = Type.Object({
  items: Type.Array(FleetMetricsItem),
  total: Type.Integer(),
});
export type FleetMetricsResponseT = Static<typeof FleetMetricsResponse>;
