/**
 * Response rules can be switched off without deleting them: a disabled rule stays in the
 * account (with its history in the audit log) but is left out of the rule sets agents get.
 */
import type { Kysely } from 'kysely';

/** Add response_rules.enabled (1 for every existing rule). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('response_rules')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}
