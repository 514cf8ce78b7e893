/** Devices, groups and the targets that actions and queries address. */
import Type, { type Static } from 'typebox';
import { Id, Name, PageQuery, Tag, Timestamp } from './common.js';

export const DEVICE_STATUSES = ['online', 'offline', 'lost', 'revoked'] as const;
export const DeviceStatus = Type.Enum(DEVICE_STATUSES);
export type DeviceStatusT = (typeof DEVICE_STATUSES)[number];

export const AgentMode = Type.Enum(['live', 'poll'] as const);

export const OsFacts = Type.Object({
  platform: Type.String({ maxLength: 32 }),
  name: Type.String({ maxLength: 128 }),
  version: Type.String({ maxLength: 64 }),
  kernel: Type.String({ maxLength: 128 }),
  arch: Type.String({ maxLength: 32 }),
});

export const DeviceGroupRef = Type.Object({ id: Id, name: Type.String() });

export const Device = Type.Object({
  id: Id,
  hostname: Type.String(),
  os: OsFacts,
  agent_version: Type.String(),
  status: DeviceStatus,
  mode: AgentMode,
  ip: Type.Union([Type.String(), Type.Null()]),
  enrolled_at: Timestamp,
  last_seen_at: Type.Union([Timestamp, Type.Null()]),
  tags: Type.Array(Type.String()),
  groups: Type.Array(DeviceGroupRef),
  facts: Type.Record(Type.String(), Type.Unknown()),
  /** Severity-weighted share of passing checks, 0–100 (as the checks API scores it); null before any result. */
  compliance: Type.Union([Type.Number(), Type.Null()]),
  /** How many of its checks fail now. */
  failing_checks: Type.Integer(),
});

export const DEVICE_SORT_KEYS = ['hostname', 'enrolled_at', 'last_seen_at', 'status'] as const;

/** Which devices a listing or a count is about; every parameter given must hold (AND). */
export const DeviceMatchQuery = Type.Object(
  {
    status: Type.Optional(DeviceStatus),
    tag: Type.Optional(Tag),
    group: Type.Optional(Id),
    q: Type.Optional(Type.String({ maxLength: 128, description: 'Substring of the hostname' })),
    filter: Type.Optional(Type.String({ maxLength: 2048, description: 'A device filter expression' })),
    compliance_below: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100,
        description:
          'Only devices whose compliance score (severity-weighted share of passing checks, 0-100) is below this; devices without check results never match',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DeviceListQuery = Type.Object(
  {
    ...PageQuery.properties,
    sort: Type.Optional(Type.Enum(DEVICE_SORT_KEYS)),
    order: Type.Optional(Type.Enum(['asc', 'desc'] as const)),
    ...DeviceMatchQuery.properties,
  },
  { additionalProperties: false },
);

/** GET /api/v1/devices/count: how many devices match. */
export const DeviceCount = Type.Object({ count: Type.Integer() });

export const TagsBody = Type.Object(
  { tags: Type.Array(Tag, { minItems: 1, maxItems: 64, uniqueItems: true }) },
  { additionalProperties: false },
);

export const GROUP_KINDS = ['static', 'dynamic'] as const;
export const GroupKind = Type.Enum(GROUP_KINDS);

export const Group = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  kind: GroupKind,
  rule: Type.Union([Type.String(), Type.Null()]),
  member_count: Type.Integer(),
  created_at: Timestamp,
});

export const CreateGroupBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    kind: GroupKind,
    rule: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  },
  { additionalProperties: false },
);

export const UpdateGroupBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    rule: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  },
  { additionalProperties: false },
);

export const GroupMembersBody = Type.Object(
  { devices: Type.Array(Id, { minItems: 1, maxItems: 1000, uniqueItems: true }) },
  { additionalProperties: false },
);

export const GroupListQuery = Type.Object(
  { ...PageQuery.properties, q: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);

/** What an action, query or scan is aimed at. Several keys together mean their union. */
export const Targets = Type.Object(
  {
    all: Type.Optional(Type.Boolean()),
    groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 1000 })),
    devices: Type.Optional(Type.Array(Id, { maxItems: 100000 })),
    filter: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  },
  { additionalProperties: false },
);

export const FilterPreviewBody = Type.Object(
  { rule: Type.String({ minLength: 1, maxLength: 2048 }) },
  { additionalProperties: false },
);

export type DeviceT = Static<typeof Device>;
export type GroupT = Static<typeof Group>;
export type TargetsT = Static<typeof Targets>;
export type DeviceListQueryT = Static<typeof DeviceListQuery>;
export type DeviceMatchQueryT = Static<typeof DeviceMatchQuery>;
export type CreateGroupBodyT = Static<typeof CreateGroupBody>;
export type UpdateGroupBodyT = Static<typeof UpdateGroupBody>;
