/**
 * Who may do what with actions. Viewers run nothing; analysts run low-risk actions; admins run
 * everything. With the account's two-person rule on (the default), a run of an action declared
 * `approval: true` (every high-risk action is) waits for a second admin; the requester can never
 * approve their own run. Dry runs change nothing, so they never wait for approval.
 */
import { type ActionDefinitionT, roleAtLeast, VigilError } from '@vigil/protocol';
import type { ActionRunRow } from '../../store/repos/action-runs.js';
import type { Principal } from '../principal.js';

/** Throw E_FORBIDDEN unless the principal may request a run of this action. */
export function assertMayRequest(p: Principal, def: ActionDefinitionT): void {
  if (!roleAtLeast(p.role, 'analyst'))
    throw new VigilError('E_FORBIDDEN', `running actions needs the analyst role; you are ${p.role}`);
  if (def.risk === 'high' && p.role !== 'admin')
    throw new VigilError(
      'E_FORBIDDEN',
      `${def.name} is a high-risk action: only an admin may request it; you are ${p.role}`,
    );
}

/** Whether a run of this action needs a second admin under the account's setting. */
export function needsApproval(
  def: ActionDefinitionT,
  accountRequiresApproval: boolean,
  dryRun: boolean,
): boolean {
  if (dryRun || !accountRequiresApproval) return false;
  return def.approval || def.risk === 'high';
}

/** Throw unless the principal may approve or reject this run now. */
export function assertMayDecide(p: Principal, run: ActionRunRow, verb: 'approve' | 'reject'): void {
  if (p.role !== 'admin')
    throw new VigilError('E_FORBIDDEN', `only an admin may ${verb} an action run; you are ${p.role}`);
  if (run.status !== 'pending_approval')
    throw new VigilError(
      'E_APPROVAL_STATE',
      `run ${run.id} is ${run.status.replace('_', ' ')}, not waiting for approval: there is nothing to ${verb}`,
    );
  if (run.requested_by === p.userId)
    throw new VigilError(
      'E_APPROVAL_SELF',
      verb === 'approve'
        ? `you requested run ${run.id}: a second admin must approve it (two-person rule)`
        : `you requested run ${run.id}: cancel it instead of rejecting it`,
    );
}

/** Throw E_FORBIDDEN unless the principal may cancel this run (admins any, analysts their own). */
export function assertMayCancel(p: Principal, run: ActionRunRow): void {
  if (p.role === 'admin' || (p.role === 'analyst' && run.requested_by === p.userId)) return;
  throw new VigilError(
    'E_FORBIDDEN',
    p.role === 'analyst'
      ? `run ${run.id} was requested by ${run.requested_by_name}: only they or an admin may cancel it`
      : `cancelling action runs needs the analyst role; you are ${p.role}`,
  );
}
