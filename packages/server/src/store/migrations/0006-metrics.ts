/**
 * Host metrics: raw samples (kept about an hour), 1-minute and 1-hour roll-ups (days and months),
 * and each device's latest sample for fleet views. Times are integer milliseconds since the
 * epoch, not ISO text as elsewhere: time series are bucketed and range-scanned by arithmetic on
 * them. Every table has an index on time so the retention job deletes in cheap batches.
 */
import type { Kysely } from 'kysely';

/** Create the metrics tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('metric_samples')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('sample', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_samples_pk', ['device_id', 'ts'])
    .execute();
  await db.schema.createIndex('metric_samples_ts').on('metric_samples').column('ts').execute();

  for (const table of ['metric_rollups_1m', 'metric_rollups_1h']) {
    await db.schema
      .createTable(table)
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'bigint', (c) => c.notNull())
      .addColumn('samples', 'integer', (c) => c.notNull())
      // {"series key": [sum, max] or [sum, max, count]}; count is left out when it equals `samples`.
      .addColumn('series', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['device_id', 'bucket'])
      .execute();
    await db.schema.createIndex(`${table}_bucket`).on(table).column('bucket').execute();
  }

  await db.schema
    .createTable('metric_latest')
    .addColumn('device_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('cpu_pct', 'double precision')
    .addColumn('mem_pct', 'double precision')
    .addColumn('disk_pct', 'double precision')
    .addColumn('disk_mount', 'text')
    .addColumn('load1', 'double precision')
    .addColumn('sample', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('metric_latest_account').on('metric_latest').column('account_id').execute();

  // Metrics are the chattiest agent traffic: the retention job also forgets old metrics message ids
  // and rate commands, and needs these to find them without a full scan.
  await db.schema
    .createIndex('agent_messages_kind_received')
    .on('agent_messages')
    .columns(['kind', 'received_at'])
    .execute();
  await db.schema
    .createIndex('agent_commands_kind_created')
    .on('agent_commands')
    .columns(['kind', 'created_at'])
    .execute();
}
