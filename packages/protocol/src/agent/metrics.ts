/**
 * Host metrics on the agent channel: the `metrics.sample` outbox item (several samples per item)
 * and the signed `metrics.rate` command with which the server speeds sampling up while someone
 * watches a device live. Every array and string is bounded so that one item, at the largest batch,
 * stays well under the channel's 1 MiB message limit.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { METRICS_MAX_ENTITIES, METRICS_MAX_SAMPLES_PER_ITEM } from './metrics-limits.js';

// The limits live in a module without TypeBox (the running agent's sampler imports them); they
// stay part of this module's exports.
export * from './metrics-limits.js';

const Pct = Type.Number({ minimum: 0, maximum: 100 });
const NonNegative = Type.Number({ minimum: 0 });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** CPU busy time over the sample's interval, in percent: all cores together and each core. */
export const CpuFigures = Type.Object(
  { pct: Pct, cores: Type.Array(Pct, { maxItems: 1024 }) },
  { additionalProperties: false },
);

/** Memory and swap in bytes; `used` excludes reclaimable cache (total − MemAvailable). */
export const MemoryFigures = Type.Object(
  {
    total: NonNegative,
    used: NonNegative,
    available: NonNegative,
    pct: Pct,
    swap_total: NonNegative,
    swap_used: NonNegative,
    swap_pct: Pct,
  },
  { additionalProperties: false },
);

/** The 1, 5 and 15 minute load averages. */
export const LoadFigures = Type.Object(
  { m1: NonNegative, m5: NonNegative, m15: NonNegative },
  { additionalProperties: false },
);

/** Space on one mounted local filesystem, in bytes (`used` as df counts it: size − free). */
export const DiskUsage = Type.Object(
  {
    mount: Type.String({ minLength: 1, maxLength: 256 }),
    device: Type.String({ maxLength: 256 }),
    fstype: Type.String({ maxLength: 32 }),
    size: NonNegative,
    used: NonNegative,
    available: NonNegative,
    pct: Pct,
  },
  { additionalProperties: false },
);

/** I/O rates of one block device over the sample's interval. */
export const DiskIo = Type.Object(
  {
    device: Type.String({ minLength: 1, maxLength: 64 }),
    read_bps: NonNegative,
    write_bps: NonNegative,
    read_iops: NonNegative,
    write_iops: NonNegative,
    /** Backed by hardware; totals add physical devices only, so dm/md layers are not counted twice. */
    physical: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** Throughput of one network interface over the sample's interval. */
export const NetIo = Type.Object(
  {
    interface: Type.String({ minLength: 1, maxLength: 32 }),
    rx_bps: NonNegative,
    tx_bps: NonNegative,
    rx_pps: NonNegative,
    tx_pps: NonNegative,
    /** Backed by hardware; totals add physical interfaces only (bridges and veths carry the same bytes again). */
    physical: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** One sample of a host. A figure the host could not provide is null (an unreadable /proc file). */
export const MetricSample = Type.Object(
  {
    /** When the sample was taken, ms since the epoch (agent clock). */
    ts: Type.Integer({ minimum: 0 }),
    /** Seconds the rates and CPU figures cover (time since the previous sample). */
    interval_s: Type.Number({ minimum: 0, maximum: 86_400 }),
    cpu: Nullable(CpuFigures),
    memory: Nullable(MemoryFigures),
    load: Nullable(LoadFigures),
    disks: Type.Array(DiskUsage, { maxItems: METRICS_MAX_ENTITIES }),
    disk_io: Type.Array(DiskIo, { maxItems: METRICS_MAX_ENTITIES }),
    net: Type.Array(NetIo, { maxItems: METRICS_MAX_ENTITIES }),
    processes: Nullable(Type.Integer({ minimum: 0 })),
    /** The agent process itself: CPU percent of one core, resident memory in bytes. */
    agent: Type.Object({ cpu_pct: NonNegative, rss: NonNegative }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type MetricSampleT = Static<typeof MetricSample>;

/** Body of a `metrics.sample` outbox item: samples in time order. */
export const MetricsSampleBody = Type.Object(
  { samples: Type.Array(MetricSample, { minItems: 1, maxItems: METRICS_MAX_SAMPLES_PER_ITEM }) },
  { additionalProperties: false },
);
export type MetricsSampleBodyT = Static<typeof MetricsSampleBody>;

/**
 * Body of a signed `metrics.rate` command: sample every `interval_s` seconds, until `until`
 * (ms since the epoch) when given — a lease the server renews while someone watches; without it
 * the rate holds until the next command or until the connection drops.
 */
export const MetricsRateBody = Type.Object(
  {
    interval_s: Type.Integer({ minimum: 1, maximum: 3600 }),
    until: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type MetricsRateBodyT = Static<typeof MetricsRateBody>;
