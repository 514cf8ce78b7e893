/**
 * The console event stream (`GET /api/v1/events/stream`, server-sent events): small typed
 * notices that something in the caller's account changed, so the console refetches at once
 * instead of polling. Each event names what changed, never the full resource: clients read the
 * resource through the REST API, which applies the same access rules as always.
 */
import Type, { type Static } from 'typebox';
import { Severity } from '../checks.js';
import { ACTION_RUN_STATUSES } from './actions.js';
import { AlertStatus } from './alerts.js';
import { Id, Timestamp } from './common.js';
import { DeviceStatus } from './devices.js';

/** How often the stream sends a comment line when nothing happens (keeps proxies from closing it). */
export const EVENT_STREAM_HEARTBEAT_S = 15;

/** A device went online, offline, lost or revoked. */
export const DevicePresenceEvent = Type.Object({
  type: Type.Literal('device.presence'),
  device_id: Id,
  status: DeviceStatus,
  at: Timestamp,
});

/** A new device enrolled (it is offline until its agent connects). */
export const DeviceEnrolledEvent = Type.Object({
  type: Type.Literal('device.enrolled'),
  device_id: Id,
  hostname: Type.String(),
  at: Timestamp,
});

/** An alert was created (`alert.raised`) or changed: a repeat coalesced into it, or its status changed. */
export const AlertEvent = Type.Object({
  type: Type.Enum(['alert.raised', 'alert.updated'] as const),
  alert_id: Id,
  device_id: Type.Union([Id, Type.Null()]),
  rule: Type.String(),
  severity: Severity,
  status: AlertStatus,
  count: Type.Integer({ description: 'Occurrences coalesced into the alert so far' }),
  at: Timestamp,
});

/** An action run changed state (created, approved, rejected, cancelled, finished). */
export const ActionRunEvent = Type.Object({
  type: Type.Literal('action.run'),
  run_id: Id,
  status: Type.Enum(ACTION_RUN_STATUSES),
  at: Timestamp,
});

/** Any event of the console stream; the SSE event name is its `type`. */
export const ConsoleEvent = Type.Union([
  DevicePresenceEvent,
  DeviceEnrolledEvent,
  AlertEvent,
  ActionRunEvent,
]);

export type DevicePresenceEventT = Static<typeof DevicePresenceEvent>;
export type DeviceEnrolledEventT = Static<typeof DeviceEnrolledEvent>;
export type AlertEventT = Static<typeof AlertEvent>;
export type ActionRunEventT = Static<typeof ActionRunEvent>;
export type ConsoleEventT = Static<typeof ConsoleEvent>;
export type ConsoleEventType = ConsoleEventT['type'];

/** What a console page subscribes to: `devices` (device.*), `alerts` (alert.*), `actions` (action.*). */
export type ConsoleTopic = 'devices' | 'alerts' | 'actions';
