/** Live query campaigns, their per-device status and results; saved and scheduled queries. */
import type { Kysely } from 'kysely';

/** Create the query tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('query_campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('sql', 'text', (c) => c.notNull())
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deadline_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('targeted', 'integer', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('saved_query_id', 'text')
    .execute();
  await db.schema
    .createIndex('query_campaigns_account')
    .on('query_campaigns')
    .columns(['account_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('query_campaign_devices')
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('row_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('latency_ms', 'integer')
    .addColumn('columns', 'text')
    .addColumn('rows', 'text')
    .addColumn('warnings', 'text')
    .addColumn('truncated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('query_campaign_devices_pk', ['campaign_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('saved_queries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('sql', 'text', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('interval_s', 'integer')
    .addColumn('cron', 'text')
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('last_run_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('saved_queries_account_name', ['account_id', 'name'])
    .execute();

  // Scheduled results: per run and device, the full snapshot or the differential (added/removed).
  await db.schema
    .createTable('scheduled_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('query_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('columns', 'text', (c) => c.notNull())
    .addColumn('rows', 'text', (c) => c.notNull())
    .addColumn('added', 'text')
    .addColumn('removed', 'text')
    .execute();
  await db.schema
    .createIndex('scheduled_results_query')
    .on('scheduled_results')
    .columns(['query_id', 'device_id', 'at'])
    .execute();
}
