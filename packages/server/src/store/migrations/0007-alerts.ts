/**
 * Alert inbox and notifications: who acknowledged/resolved an alert and when, which suppression
 * rule muted it; suppression rules; notification routes; and the durable delivery queue
 * (attempts, next attempt, lease, dead letters) the notification worker drains.
 */
import type { Kysely } from 'kysely';

/** Extend alerts; create suppressions, routes and deliveries. */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of [
    'acknowledged_by',
    'acknowledged_at',
    'resolved_by',
    'resolved_at',
    'status_note',
    'suppression_id',
  ]) {
    await db.schema.alterTable('alerts').addColumn(column, 'text').execute();
  }
  await db.schema
    .createIndex('alerts_account_status_seen')
    .on('alerts')
    .columns(['account_id', 'status', 'last_seen'])
    .execute();
  await db.schema
    .createIndex('alerts_account_device_seen')
    .on('alerts')
    .columns(['account_id', 'device_id', 'last_seen'])
    .execute();

  await db.schema
    .createTable('alert_suppressions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text')
    .addColumn('group_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('hits', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('alert_suppressions_account')
    .on('alert_suppressions')
    .columns(['account_id', 'expires_at'])
    .execute();

  await db.schema
    .createTable('notification_routes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('min_severity', 'text', (c) => c.notNull())
    .addColumn('rule_pattern', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text')
    // Channel settings that may be shown (URL host, SMTP host, recipients…); JSON.
    .addColumn('config', 'text', (c) => c.notNull())
    // Webhook signing secret / SMTP password, encrypted with the server's key; never shown.
    .addColumn('secret', 'text')
    .addColumn('rate_limit_count', 'integer')
    .addColumn('rate_limit_window_s', 'integer', (c) => c.notNull())
    .addColumn('digest_window_s', 'integer')
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('notification_routes_name', ['account_id', 'name'])
    .execute();

  await db.schema
    .createTable('notification_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('route_id', 'text', (c) => c.notNull())
    .addColumn('route_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('alert_ids', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('first_attempt_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('digest_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema
    .createIndex('notification_deliveries_due')
    .on('notification_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('notification_deliveries_route')
    .on('notification_deliveries')
    .columns(['route_id', 'status', 'first_attempt_at'])
    .execute();
  await db.schema
    .createIndex('notification_deliveries_account')
    .on('notification_deliveries')
    .columns(['account_id', 'status', 'created_at'])
    .execute();
}
