/** The audit log: who did what, to what, when, from where, with what outcome. */
import Type, { type Static } from 'typebox';
import { Id, PageQuery, Timestamp } from './common.js';

export const AuditOutcome = Type.Enum(['success', 'failure'] as const);

export const AuditEntry = Type.Object({
  id: Id,
  at: Timestamp,
  actor: Type.String({ description: 'user:<id>, token:<id>, agent:<id> or system' }),
  actor_name: Type.String(),
  action: Type.String({ description: 'e.g. group.create, session.create' }),
  target: Type.Union([Type.String(), Type.Null()]),
  source_ip: Type.Union([Type.String(), Type.Null()]),
  outcome: AuditOutcome,
  detail: Type.Record(Type.String(), Type.Unknown()),
});

export const AuditQuery = Type.Object(
  {
    ...PageQuery.properties,
    actor: Type.Optional(Type.String({ maxLength: 128 })),
    action: Type.Optional(Type.String({ maxLength: 64, pattern: '^[a-z0-9_.]+%?$' })),
    target: Type.Optional(Type.String({ maxLength: 128 })),
    outcome: Type.Optional(AuditOutcome),
    since: Type.Optional(Timestamp),
    until: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);

export type AuditEntryT = Static<typeof AuditEntry>;
export type AuditQueryT = Static<typeof AuditQuery>;
