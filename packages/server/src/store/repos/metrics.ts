/**
 * SQL of host metrics: raw samples, the two roll-up tiers, each device's latest sample, and the
 * batched deletes of the retention job. The tables are declared here (not in schema.ts) and added
 * to the query builder with `withTables`, so the metrics feature stays in its own files.
 */
import { type ColumnType, type Insertable, type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';

/** PostgreSQL hands bigint columns back as strings; SQLite as numbers. Read them with Number(). */
type BigIntColumn = ColumnType<number | string, number, number>;

export interface MetricSamplesTable {
  device_id: string;
  account_id: string;
  ts: BigIntColumn;
  sample: string;
}

export interface MetricRollupsTable {
  device_id: string;
  account_id: string;
  bucket: BigIntColumn;
  samples: number;
  series: string;
}

export interface MetricLatestTable {
  device_id: string;
  account_id: string;
  ts: BigIntColumn;
  cpu_pct: number | null;
  mem_pct: number | null;
  disk_pct: number | null;
  disk_mount: string | null;
  load1: number | null;
  sample: string;
}

/** The metrics tables. */
export type MetricsTables = {
  metric_samples: MetricSamplesTable;
  metric_rollups_1m: MetricRollupsTable;
  metric_rollups_1h: MetricRollupsTable;
  metric_latest: MetricLatestTable;
};

/** The query builder with the metrics tables. */
export type MetricsDb = Kysely<Database & MetricsTables>;

/** A roll-up tier's table. */
export type RollupTable = 'metric_rollups_1m' | 'metric_rollups_1h';

/** One roll-up row as read. */
export interface RollupRow {
  bucket: number;
  samples: number;
  series: string;
}

/** What the fleet roll-up filters on. */
export interface FleetFilter {
  cpuAbove?: number;
  diskAbove?: number;
  memAbove?: number;
  /** Only samples at or after this time (ms). */
  since?: number;
  orderBy: 'cpu_pct' | 'disk_pct' | 'mem_pct';
  limit: number;
}

/** One device of the fleet roll-up. */
export interface FleetRow {
  device_id: string;
  hostname: string;
  status: string;
  ts: number;
  cpu_pct: number | null;
  mem_pct: number | null;
  disk_pct: number | null;
  disk_mount: string | null;
  load1: number | null;
}

/** Tables the retention job deletes from, with the time column each is pruned by. */
export const PRUNABLE = {
  metric_samples: 'ts',
  metric_rollups_1m: 'bucket',
  metric_rollups_1h: 'bucket',
} as const;

/** The metrics repository; works on the main handle or inside an ingest transaction. */
export class MetricsRepo {
  readonly db: MetricsDb;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<MetricsTables>();
  }

  /** Insert raw samples; returns the timestamps that were new (a re-sent sample is skipped). */
  async insertRaw(
    rows: Array<{ device_id: string; account_id: string; ts: number; sample: string }>,
  ): Promise<number[]> {
    if (rows.length === 0) return [];
    const inserted = await this.db
      .insertInto('metric_samples')
      .values(rows)
      .onConflict((oc) => oc.columns(['device_id', 'ts']).doNothing())
      .returning('ts')
      .execute();
    return inserted.map((r) => Number(r.ts));
  }

  /** Roll-up rows of one device at the given bucket starts. */
  async rollups(table: RollupTable, deviceId: string, buckets: number[]): Promise<RollupRow[]> {
    if (buckets.length === 0) return [];
    const rows = await this.db
      .selectFrom(table)
      .select(['bucket', 'samples', 'series'])
      .where('device_id', '=', deviceId)
      .where('bucket', 'in', buckets)
      .execute();
    return rows.map((r) => ({ bucket: Number(r.bucket), samples: r.samples, series: r.series }));
  }

  /** Write roll-up rows (replacing the stored ones of the same bucket). */
  async upsertRollups(
    table: RollupTable,
    rows: Array<{ device_id: string; account_id: string; bucket: number; samples: number; series: string }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto(table)
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['device_id', 'bucket']).doUpdateSet((eb) => ({
          samples: eb.ref('excluded.samples'),
          series: eb.ref('excluded.series'),
        })),
      )
      .execute();
  }

  /** Record a device's latest sample, unless a newer one is already stored. */
  async upsertLatest(row: Insertable<MetricLatestTable>): Promise<void> {
    await this.db
      .insertInto('metric_latest')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('device_id')
          .doUpdateSet((eb) => ({
            ts: eb.ref('excluded.ts'),
            cpu_pct: eb.ref('excluded.cpu_pct'),
            mem_pct: eb.ref('excluded.mem_pct'),
            disk_pct: eb.ref('excluded.disk_pct'),
            disk_mount: eb.ref('excluded.disk_mount'),
            load1: eb.ref('excluded.load1'),
            sample: eb.ref('excluded.sample'),
          }))
          .where('metric_latest.ts', '<', (eb) => eb.ref('excluded.ts')),
      )
      .execute();
  }

  /** Raw samples of a device in [from, to), oldest first. */
  async raw(deviceId: string, from: number, to: number): Promise<Array<{ ts: number; sample: string }>> {
    const rows = await this.db
      .selectFrom('metric_samples')
      .select(['ts', 'sample'])
      .where('device_id', '=', deviceId)
      .where('ts', '>=', from)
      .where('ts', '<', to)
      .orderBy('ts')
      .execute();
    return rows.map((r) => ({ ts: Number(r.ts), sample: r.sample }));
  }

  /** Roll-up rows of a device with bucket starts in [from, to), oldest first. */
  async rollupRange(table: RollupTable, deviceId: string, from: number, to: number): Promise<RollupRow[]> {
    const rows = await this.db
      .selectFrom(table)
      .select(['bucket', 'samples', 'series'])
      .where('device_id', '=', deviceId)
      .where('bucket', '>=', from)
      .where('bucket', '<', to)
      .orderBy('bucket')
      .execute();
    return rows.map((r) => ({ bucket: Number(r.bucket), samples: r.samples, series: r.series }));
  }

  /** The latest sample of a device in an account. */
  async latest(accountId: string, deviceId: string): Promise<{ ts: number; sample: string } | undefined> {
    const row = await this.db
      .selectFrom('metric_latest')
      .select(['ts', 'sample'])
      .where('account_id', '=', accountId)
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return row ? { ts: Number(row.ts), sample: row.sample } : undefined;
  }

  /** Devices of an account whose latest sample is above any given threshold, most loaded first, and how many in all. */
  async fleet(accountId: string, f: FleetFilter): Promise<{ rows: FleetRow[]; total: number }> {
    let q = this.db
      .selectFrom('metric_latest as m')
      .innerJoin('devices as d', 'd.id', 'm.device_id')
      .where('m.account_id', '=', accountId)
      .where('d.account_id', '=', accountId);
    if (f.since !== undefined) q = q.where('m.ts', '>=', f.since);
    const { cpuAbove, diskAbove, memAbove } = f;
    if (cpuAbove !== undefined || diskAbove !== undefined || memAbove !== undefined) {
      q = q.where((eb) =>
        eb.or([
          ...(cpuAbove !== undefined ? [eb('m.cpu_pct', '>', cpuAbove)] : []),
          ...(diskAbove !== undefined ? [eb('m.disk_pct', '>', diskAbove)] : []),
          ...(memAbove !== undefined ? [eb('m.mem_pct', '>', memAbove)] : []),
        ]),
      );
    }
    const total = await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const rows = await q
      .select([
        'm.device_id',
        'd.hostname',
        'd.status',
        'm.ts',
        'm.cpu_pct',
        'm.mem_pct',
        'm.disk_pct',
        'm.disk_mount',
        'm.load1',
      ])
      // Nulls last on both engines: a device that reports no such figure is not "most loaded".
      .orderBy(sql`case when ${sql.ref(`m.${f.orderBy}`)} is null then 1 else 0 end`)
      .orderBy(`m.${f.orderBy}`, 'desc')
      .orderBy('m.device_id')
      .limit(f.limit)
      .execute();
    return {
      rows: rows.map((r) => ({ ...r, ts: Number(r.ts) })),
      total: Number(total.n),
    };
  }

  /** Delete at most `limit` rows of a metrics table older than `cutoff` (ms); returns how many went. */
  async deleteOlder(table: keyof typeof PRUNABLE, cutoff: number, limit: number): Promise<number> {
    const column = sql.ref(PRUNABLE[table]);
    const r =
      await sql`delete from ${sql.table(table)} where (device_id, ${column}) in (select device_id, ${column} from ${sql.table(table)} where ${column} < ${cutoff} limit ${limit})`.execute(
        this.db,
      );
    return Number(r.numAffectedRows ?? 0);
  }

  /** Delete at most `limit` commands of a kind created before `cutoff` (ISO). */
  async deleteOldCommands(kind: string, cutoff: string, limit: number): Promise<number> {
    const r =
      await sql`delete from agent_commands where (id, device_id) in (select id, device_id from agent_commands where kind = ${kind} and created_at < ${cutoff} limit ${limit})`.execute(
        this.db,
      );
    return Number(r.numAffectedRows ?? 0);
  }

  /** Rows in a metrics table (tests and the retention report). */
  async count(table: keyof MetricsTables, deviceId?: string): Promise<number> {
    let q = this.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'));
    if (deviceId) q = q.where('device_id', '=', deviceId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}
