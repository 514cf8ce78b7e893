/**
 * Watch paths and ignore patterns of the agents' file monitor, configured per account and
 * optionally for one group, pushed signed with each device's rule set.
 */
import type { Kysely } from 'kysely';

/** Create the monitoring paths table. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('monitoring_paths')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    // 'watch' (a file or directory watched) or 'ignore' (a glob never reported).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    // Only devices in this group, or every device of the account when null.
    .addColumn('group_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('monitoring_paths_account')
    .on('monitoring_paths')
    .columns(['account_id'])
    .execute();
}
