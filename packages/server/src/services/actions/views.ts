/** Store rows of action runs in their API shape (snake_case JSON, booleans, parsed JSON). */
import type {
  ActionDeviceStatusT,
  ActionOfflinePolicyT,
  ActionRunDeviceT,
  ActionRunStatusT,
  ActionRunT,
  DeviceActionRunT,
} from '@vigil/protocol';
import type { ActionRunDeviceRow, ActionRunRow } from '../../store/repos/action-runs.js';

function json<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** When a run waiting for approval expires (null when it never waited, or approvals never expire). */
export function approvalExpiresAt(r: ActionRunRow, approvalExpiryMs: number): string | null {
  if (r.approval_required !== 1 || approvalExpiryMs <= 0) return null;
  if (r.status !== 'pending_approval' && r.status !== 'expired') return null;
  return new Date(Date.parse(r.created_at) + approvalExpiryMs).toISOString();
}

/** A run as the API shows it. */
export function runView(r: ActionRunRow, counts: Record<string, number>, approvalExpiryMs = 0): ActionRunT {
  return {
    id: r.id,
    action: r.action,
    params: JSON.parse(r.params) as Record<string, unknown>,
    targets: JSON.parse(r.targets) as Record<string, unknown>,
    dry_run: r.dry_run === 1,
    risk: r.risk,
    status: r.status as ActionRunStatusT,
    status_reason: r.status_reason,
    reason: r.reason,
    requested_by: { id: r.requested_by, name: r.requested_by_name },
    approval_required: r.approval_required === 1,
    approved_by: r.approved_by ? { id: r.approved_by, name: r.approved_by_name ?? '' } : null,
    approved_at: r.approved_at,
    approval_expires_at: approvalExpiresAt(r, approvalExpiryMs),
    closed_by: r.closed_by ? { id: r.closed_by, name: r.closed_by_name ?? '' } : null,
    rollout: {
      batch_size: r.batch_size,
      pause_s: r.pause_s,
      stop_if_failure_rate: r.stop_if_failure_rate === null ? null : Number(r.stop_if_failure_rate),
    },
    offline: { policy: r.offline_policy as ActionOfflinePolicyT, expiry_s: r.offline_expiry_s },
    current_batch: r.current_batch,
    batch_count: r.batch_count,
    next_batch_at: r.next_batch_at,
    undo_of: r.undo_of,
    created_at: r.created_at,
    updated_at: r.updated_at,
    finished_at: r.finished_at,
    counts,
  };
}

/** One device of a run as the API shows it. */
export function deviceView(d: ActionRunDeviceRow & { hostname: string | null }): ActionRunDeviceT {
  return {
    device_id: d.device_id,
    hostname: d.hostname ?? '',
    batch: d.batch,
    status: d.status as ActionDeviceStatusT,
    command_id: d.command_id,
    params: json<Record<string, unknown>>(d.params),
    result: json<Record<string, unknown>>(d.result),
    error: d.error,
    sent_at: d.sent_at,
    deadline_at: d.deadline_at,
    queue_expires_at: d.queue_expires_at,
    finished_at: d.finished_at,
  };
}

/** A run as one device's history shows it: the run's request and this device's outcome. */
export function deviceRunView(r: {
  run_id: string;
  action: string;
  run_params: string;
  dry_run: number;
  run_status: string;
  requested_by: string;
  requested_by_name: string;
  reason: string | null;
  created_at: string;
  params: string | null;
  status: string;
  result: string | null;
  error: string | null;
  sent_at: string | null;
  finished_at: string | null;
}): DeviceActionRunT {
  return {
    run_id: r.run_id,
    action: r.action,
    // An undo run carries each device's own parameters; those are what this device ran.
    params: json<Record<string, unknown>>(r.params) ?? (JSON.parse(r.run_params) as Record<string, unknown>),
    dry_run: r.dry_run === 1,
    run_status: r.run_status as ActionRunStatusT,
    requested_by: { id: r.requested_by, name: r.requested_by_name },
    reason: r.reason,
    created_at: r.created_at,
    status: r.status as ActionDeviceStatusT,
    result: json<Record<string, unknown>>(r.result),
    error: r.error,
    sent_at: r.sent_at,
    finished_at: r.finished_at,
  };
}
