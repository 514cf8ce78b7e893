/**
 * Ingest of an agent's `action.result` outbox item, inside the ingest transaction. The first
 * result of a device wins: a result re-sent under a new outbox id (or after the server timed the
 * device out) changes nothing the second time. A late result after a server-side timeout or a
 * cancellation is still recorded — the device did act, and undo needs to know.
 */
import type { ActionResultBodyT } from '@vigil/protocol';
import type { Kysely } from 'kysely';
import type { IngestSource } from '../../hub/ingest.js';
import { nowIso } from '../../store/ids.js';
import { AuditRepo } from '../../store/repos/audit.js';
import type { Database } from '../../store/schema.js';
import { auditRun } from './audit.js';

/** The device status an agent's result status maps to. */
export function deviceStatusOf(status: ActionResultBodyT['status']): 'succeeded' | 'failed' | 'timed_out' {
  if (status === 'succeeded') return 'succeeded';
  if (status === 'timed_out') return 'timed_out';
  return 'failed';
}

/** Store one result; returns whether it changed anything (false for duplicates and strays). */
export async function ingestActionResult(
  trx: Kysely<Database>,
  source: IngestSource,
  body: ActionResultBodyT,
): Promise<boolean> {
  const row = await trx
    .selectFrom('action_run_devices')
    .selectAll()
    .where('run_id', '=', body.run_id)
    .where('device_id', '=', source.deviceId)
    .where('account_id', '=', source.accountId)
    .executeTakeFirst();
  // Results of automated local responses carry their own run ids; they are not server runs,
  // but the device acted on its own: audit what it did.
  if (!row && body.rule) return auditAutomated(trx, source, body);
  if (!row || row.sent_at === null || row.result !== null) return false;
  if (row.command_id !== null && row.command_id !== body.command_id) return false;
  const status = deviceStatusOf(body.status);
  const error = body.error
    ? `${body.error.code}: ${body.error.message}`
    : body.status === 'refused'
      ? 'the agent refused the command'
      : null;
  const r = await trx
    .updateTable('action_run_devices')
    .set({
      status,
      result: JSON.stringify(body),
      error,
      command_id: body.command_id,
      finished_at: nowIso(),
      updated_at: nowIso(),
    })
    .where('run_id', '=', body.run_id)
    .where('device_id', '=', source.deviceId)
    .where('result', 'is', null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  const device = await trx
    .selectFrom('devices')
    .select('hostname')
    .where('id', '=', source.deviceId)
    .executeTakeFirst();
  await auditRun(
    new AuditRepo(trx),
    source.accountId,
    body.run_id,
    { kind: 'agent', deviceId: source.deviceId, hostname: device?.hostname ?? source.deviceId },
    'action.result',
    status === 'succeeded' ? 'success' : 'failure',
    {
      device_id: source.deviceId,
      action: body.action,
      status: body.status,
      dry_run: body.dry_run,
      changed: body.changed,
      summary: body.summary,
      ...(body.error ? { error: body.error.code } : {}),
      ...(row.status !== 'sent' ? { arrived_after: row.status } : {}),
    },
  );
  return true;
}

/** Audit an automated response an agent ran by itself (`rule` names the response rule); returns true. */
async function auditAutomated(
  trx: Kysely<Database>,
  source: IngestSource,
  body: ActionResultBodyT,
): Promise<boolean> {
  const device = await trx
    .selectFrom('devices')
    .select('hostname')
    .where('id', '=', source.deviceId)
    .executeTakeFirst();
  await new AuditRepo(trx).append({
    account_id: source.accountId,
    actor: `agent:${source.deviceId}`,
    actor_name: device?.hostname ?? source.deviceId,
    action: 'action.automated',
    target: `device:${source.deviceId}`,
    source_ip: null,
    outcome: body.status === 'succeeded' ? 'success' : 'failure',
    detail: {
      response: body.rule,
      action: body.action,
      status: body.status,
      dry_run: body.dry_run,
      changed: body.changed,
      summary: body.summary,
      details: JSON.stringify(body.details).length <= 16_384 ? body.details : { dropped: 'over 16 KiB' },
      command_id: body.command_id,
      ...(body.undo ? { undo: body.undo } : {}),
      ...(body.error ? { error: body.error.code, message: body.error.message } : {}),
    },
  });
  return true;
}
