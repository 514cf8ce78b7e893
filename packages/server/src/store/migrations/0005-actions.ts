/**
 * Response action runs: the request and its approval, rollout and offline settings; one row per
 * targeted device with its batch, status, command and result; and each account's action settings
 * (the two-person rule, on unless an admin turns it off).
 */
import type { Kysely } from 'kysely';

/** Create the action tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('action_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('risk', 'text', (c) => c.notNull())
    .addColumn('timeout_s', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_by_name', 'text', (c) => c.notNull())
    .addColumn('approval_required', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('approved_by', 'text')
    .addColumn('approved_by_name', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('closed_by_name', 'text')
    .addColumn('batch_size', 'integer')
    .addColumn('pause_s', 'integer', (c) => c.notNull())
    // double precision, not real: PostgreSQL's real would turn 0.2 into 0.200000003 and move the threshold.
    .addColumn('stop_if_failure_rate', 'double precision')
    .addColumn('offline_policy', 'text', (c) => c.notNull())
    .addColumn('offline_expiry_s', 'integer', (c) => c.notNull())
    .addColumn('current_batch', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('batch_count', 'integer', (c) => c.notNull())
    .addColumn('next_batch_at', 'text')
    .addColumn('undo_of', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('action_runs_account')
    .on('action_runs')
    .columns(['account_id', 'created_at'])
    .execute();
  await db.schema.createIndex('action_runs_status').on('action_runs').columns(['status']).execute();

  await db.schema
    .createTable('action_run_devices')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('batch', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('command_id', 'text')
    .addColumn('params', 'text')
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('deadline_at', 'text')
    .addColumn('queue_expires_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('action_run_devices_pk', ['run_id', 'device_id'])
    .execute();
  await db.schema
    .createIndex('action_run_devices_status')
    .on('action_run_devices')
    .columns(['status', 'deadline_at'])
    .execute();
  await db.schema
    .createIndex('action_run_devices_device')
    .on('action_run_devices')
    .columns(['device_id', 'status'])
    .execute();

  await db.schema
    .createTable('action_settings')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('require_approval', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
