/**
 * Automated response rules: when a detection rule fires on an agent (and the rule's conditions on
 * the event hold), the agent runs these actions itself — so they work while the server is
 * unreachable. Configured per account, optionally for one group; pushed signed with the rule set.
 */
import type { Kysely } from 'kysely';

/** Create the response rules table. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('response_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // A detection rule name or pattern (Linux.Auth.SshBruteForce, Linux.Processes.*).
    .addColumn('rule', 'text', (c) => c.notNull())
    // Only devices in this group, or every device of the account when null.
    .addColumn('group_id', 'text')
    // JSON: conditions on the event, and the actions with their (templated) parameters.
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('max_per_hour', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('response_rules_name', ['account_id', 'name'])
    .execute();
}
