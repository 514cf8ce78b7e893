/**
 * Parameter values of detection rules per account (a block list, a list of known-bad hashes, a
 * threshold), rendered into the rule sets of the account's devices instead of the defaults.
 */
import type { Kysely } from 'kysely';

/** Create the detection rule parameters table. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('detection_rule_params')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    // JSON: { name: value } for the parameters the account set (the rest keep their defaults).
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('detection_rule_params_pk', ['account_id', 'rule'])
    .execute();
}
