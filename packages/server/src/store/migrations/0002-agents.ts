/** Enrollment tokens, idempotent agent message ingest, queued commands and results, alerts. */
import type { Kysely } from 'kysely';

/** Create the agent-channel tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('enrollment_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('group_id', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('max_uses', 'integer')
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revoked_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // One row per agent message ever ingested: the primary key makes a re-sent message a no-op.
  await db.schema
    .createTable('agent_messages')
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('msg_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_messages_pk', ['device_id', 'msg_id'])
    .execute();

  // Commands waiting for (or delivered to) a device; poll-mode agents collect theirs here.
  await db.schema
    .createTable('agent_commands')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text')
    .addColumn('envelope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('ok', 'integer')
    .addColumn('result', 'text')
    .addPrimaryKeyConstraint('agent_commands_pk', ['id', 'device_id'])
    .execute();
  await db.schema
    .createIndex('agent_commands_pending')
    .on('agent_commands')
    .columns(['device_id', 'delivered_at', 'expires_at'])
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text')
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('coalesce_key', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('alerts_account_seen')
    .on('alerts')
    .columns(['account_id', 'last_seen', 'id'])
    .execute();
  await db.schema
    .createIndex('alerts_coalesce')
    .on('alerts')
    .columns(['account_id', 'coalesce_key', 'status'])
    .execute();

  await db.schema
    .alterTable('devices')
    .addColumn('machine_id', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}
