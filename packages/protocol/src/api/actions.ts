/**
 * /api/v1/actions: response action runs — the request (action, parameters, targets, rollout,
 * offline policy), the run with its per-device statuses and results, approvals (two-person rule),
 * cancellation and undo, the catalogue and the account's approval setting.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { ActionDefinition, ActionName } from '../actions.js';
import { Id, PageQuery, Timestamp } from './common.js';
import { Targets } from './devices.js';

/** Where a run is in its life. `expired`: nobody approved it before the approval expiry. */
export const ACTION_RUN_STATUSES = [
  'pending_approval',
  'running',
  'completed',
  'cancelled',
  'rejected',
  'failed',
  'expired',
] as const;
export type ActionRunStatusT = (typeof ACTION_RUN_STATUSES)[number];

/** Where one device of a run is. `queued` waits for an offline device to come back. */
export const ACTION_DEVICE_STATUSES = [
  'pending',
  'queued',
  'sent',
  'succeeded',
  'failed',
  'skipped_offline',
  'timed_out',
  'expired',
  'cancelled',
] as const;
export type ActionDeviceStatusT = (typeof ACTION_DEVICE_STATUSES)[number];

/** What happens to a target that is offline when its batch is sent. */
export const ACTION_OFFLINE_POLICIES = ['queue', 'skip'] as const;
export type ActionOfflinePolicyT = (typeof ACTION_OFFLINE_POLICIES)[number];

/** A check name as the catalogue spells it (`Linux.Ssh.RootLoginDisabled`). */
const CheckNameRef = Type.String({
  pattern: '^(Linux|MacOS|Windows)\\.[A-Za-z0-9]+\\.[A-Za-z0-9]+$',
  maxLength: 128,
});

/** The targets of an action: those of a query, plus the devices currently failing one check. */
export const ActionTargets = Type.Object(
  {
    ...Targets.properties,
    failing_check: Type.Optional(CheckNameRef),
  },
  { additionalProperties: false },
);
export type ActionTargetsT = Static<typeof ActionTargets>;

/** Send in batches: the next batch goes `pause_s` after every device of the last one finished. */
export const ActionRollout = Type.Object(
  {
    /** Devices per batch; all of them in one batch when absent. */
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    pause_s: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    /** Stop the run (no further batches) once failed / finished exceeds this fraction. */
    stop_if_failure_rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
export type ActionRolloutT = Static<typeof ActionRollout>;

/** Queue for offline devices (sent when they reconnect, until the expiry) or skip them. */
export const ActionOffline = Type.Object(
  {
    policy: Type.Enum(ACTION_OFFLINE_POLICIES),
    /** How long a queued device may take to come back (default one day). */
    expiry_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86_400 })),
  },
  { additionalProperties: false },
);
export type ActionOfflineT = Static<typeof ActionOffline>;

/** A free-text note: why a run is requested, approved, rejected or cancelled. */
const Note = Type.String({ minLength: 1, maxLength: 1000 });

/** POST /api/v1/actions. */
export const CreateActionRunBody = Type.Object(
  {
    action: ActionName,
    params: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 64 })),
    targets: ActionTargets,
    dry_run: Type.Optional(Type.Boolean()),
    rollout: Type.Optional(ActionRollout),
    offline: Type.Optional(ActionOffline),
    reason: Type.Optional(Note),
  },
  { additionalProperties: false },
);
export type CreateActionRunBodyT = Static<typeof CreateActionRunBody>;

/** Body of approve, reject and cancel (optional). */
export const ActionDecisionBody = Type.Object(
  { reason: Type.Optional(Note) },
  { additionalProperties: false },
);
export type ActionDecisionBodyT = Static<typeof ActionDecisionBody>;

/** Body of undo (optional): the undo run's own rollout and offline policy, else the original's. */
export const ActionUndoBody = Type.Object(
  {
    reason: Type.Optional(Note),
    rollout: Type.Optional(ActionRollout),
    offline: Type.Optional(ActionOffline),
  },
  { additionalProperties: false },
);
export type ActionUndoBodyT = Static<typeof ActionUndoBody>;

/** GET /api/v1/actions filters. */
export const ActionRunListQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(Type.Enum(ACTION_RUN_STATUSES)),
    action: Type.Optional(ActionName),
    requested_by: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type ActionRunListQueryT = Static<typeof ActionRunListQuery>;

const UserRef = Type.Object({ id: Type.String(), name: Type.String() });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A run without its devices (list items). */
export const ActionRun = Type.Object({
  id: Id,
  action: ActionName,
  params: Type.Record(Type.String(), Type.Unknown()),
  targets: Type.Record(Type.String(), Type.Unknown()),
  dry_run: Type.Boolean(),
  risk: Type.String(),
  status: Type.Enum(ACTION_RUN_STATUSES),
  status_reason: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  requested_by: UserRef,
  approval_required: Type.Boolean(),
  approved_by: Nullable(UserRef),
  approved_at: Nullable(Timestamp),
  /** When a run waiting (or that waited) for approval expires unapproved; null when it needs none or approvals never expire. */
  approval_expires_at: Nullable(Timestamp),
  closed_by: Nullable(UserRef),
  rollout: Type.Object({
    batch_size: Nullable(Type.Integer()),
    pause_s: Type.Integer(),
    stop_if_failure_rate: Nullable(Type.Number()),
  }),
  offline: Type.Object({ policy: Type.Enum(ACTION_OFFLINE_POLICIES), expiry_s: Type.Integer() }),
  current_batch: Type.Integer(),
  batch_count: Type.Integer(),
  next_batch_at: Nullable(Timestamp),
  undo_of: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  finished_at: Nullable(Timestamp),
  counts: Type.Record(Type.String(), Type.Integer()),
});
export type ActionRunT = Static<typeof ActionRun>;

/** One device of a run. */
export const ActionRunDevice = Type.Object({
  device_id: Type.String(),
  hostname: Type.String(),
  batch: Type.Integer(),
  status: Type.Enum(ACTION_DEVICE_STATUSES),
  command_id: Nullable(Type.String()),
  /** Per-device parameters (undo runs), else null: the run's parameters apply. */
  params: Nullable(Type.Record(Type.String(), Type.Unknown())),
  /** The agent's `action.result` body, once it arrived. */
  result: Nullable(Type.Record(Type.String(), Type.Unknown())),
  error: Nullable(Type.String()),
  sent_at: Nullable(Timestamp),
  deadline_at: Nullable(Timestamp),
  queue_expires_at: Nullable(Timestamp),
  finished_at: Nullable(Timestamp),
});
export type ActionRunDeviceT = Static<typeof ActionRunDevice>;

/** One run that included a device, with that device's outcome (GET /api/v1/devices/:id/actions). */
export const DeviceActionRun = Type.Object({
  run_id: Id,
  action: ActionName,
  params: Type.Record(Type.String(), Type.Unknown()),
  dry_run: Type.Boolean(),
  run_status: Type.Enum(ACTION_RUN_STATUSES),
  requested_by: UserRef,
  reason: Nullable(Type.String()),
  created_at: Timestamp,
  /** This device's status, result and error in the run. */
  status: Type.Enum(ACTION_DEVICE_STATUSES),
  result: Nullable(Type.Record(Type.String(), Type.Unknown())),
  error: Nullable(Type.String()),
  sent_at: Nullable(Timestamp),
  finished_at: Nullable(Timestamp),
});
export type DeviceActionRunT = Static<typeof DeviceActionRun>;

/** A run with every device. */
export const ActionRunDetail = Type.Object({ ...ActionRun.properties, devices: Type.Array(ActionRunDevice) });
export type ActionRunDetailT = Static<typeof ActionRunDetail>;

/** A catalogue entry: the declaration plus whether this account needs a second admin for it. */
export const ActionCatalogueEntry = Type.Object({
  ...ActionDefinition.properties,
  needs_approval: Type.Boolean(),
});

/** The account's action settings. */
export const ActionSettings = Type.Object(
  {
    /** The two-person rule for high-risk and approval-marked actions (default on). */
    require_approval: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ActionSettingsT = Static<typeof ActionSettings>;
