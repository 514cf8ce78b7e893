/** Check overrides (account and group), current results per device, and compliance history. */
import type { Kysely } from 'kysely';

/** Create the check tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('check_overrides')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('check_name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('check_overrides_scope', ['account_id', 'group_id', 'check_name'])
    .execute();

  await db.schema
    .createTable('check_results')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('check_name', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('last_run_at', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('check_results_pk', ['device_id', 'check_name'])
    .execute();
  await db.schema
    .createIndex('check_results_account')
    .on('check_results')
    .columns(['account_id', 'check_name', 'status'])
    .execute();

  await db.schema
    .createTable('compliance_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('passing', 'integer', (c) => c.notNull())
    .addColumn('applicable', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('compliance_history_account')
    .on('compliance_history')
    .columns(['account_id', 'at'])
    .execute();

  await db.schema
    .alterTable('devices')
    .addColumn('rule_set_digest', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}
