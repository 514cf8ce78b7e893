/**
 * Approval expiry: a run that waits for a second admin longer than the approval expiry
 * (`--action-approval-expiry`, default a day) becomes `expired` — nothing is sent, its devices are
 * cancelled, and the system's decision is audited. A late approval is refused: whoever wanted the
 * action asks again, with the fleet as it is now.
 */
import { nowIso } from '../../store/ids.js';
import type { ActionRunRow, ActionRunsRepo } from '../../store/repos/action-runs.js';
import type { AuditRepo } from '../../store/repos/audit.js';
import { humanDuration } from '../alerts/offline-watch.js';
import { auditRun } from './audit.js';

/** Whether a waiting run is past its approval expiry at `now` (never when expiry is 0: off). */
export function approvalOverdue(run: ActionRunRow, approvalExpiryMs: number, now: number): boolean {
  return (
    approvalExpiryMs > 0 &&
    run.status === 'pending_approval' &&
    Date.parse(run.created_at) + approvalExpiryMs <= now
  );
}

/**
 * Expire one waiting run (call it serialized with the run's other steps); true when this call did,
 * false when the run was decided meanwhile.
 */
export async function expireApproval(
  repo: ActionRunsRepo,
  audit: AuditRepo,
  run: ActionRunRow,
  approvalExpiryMs: number,
  now: Date,
): Promise<boolean> {
  const at = nowIso(now);
  const why = `no second admin approved it within ${humanDuration(Math.round(approvalExpiryMs / 1000))}`;
  const ok = await repo.updateRun(
    run.id,
    { status: 'expired', status_reason: why, finished_at: at },
    { status: 'pending_approval' },
  );
  if (!ok) return false;
  await repo.updateDevicesOfRun(
    run.id,
    { status: 'cancelled', error: `the run expired waiting for approval: ${why}`, finished_at: at },
    ['pending'],
  );
  await auditRun(audit, run.account_id, run.id, { kind: 'system' }, 'action.approval_expired', 'success', {
    action: run.action,
    requested_by: run.requested_by_name,
    requested_at: run.created_at,
    approval_expiry_s: Math.round(approvalExpiryMs / 1000),
  });
  return true;
}
