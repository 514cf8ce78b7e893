/**
 * Messages on the agent channel: small JSON objects named `domain.verb` in field `t`, the same
 * over the WebSocket and in poll batches. Every receiver validates each message against these
 * schemas before acting on it.
 */
import Type, { type Static } from 'typebox';
import { Envelope } from './envelope.js';

// The channel's constants and proof formats live in a module without TypeBox (a running agent
// imports them without loading the schema library); they stay part of this module's exports.
export * from './channel.js';

const B64 = (max: number) => Type.String({ maxLength: max, pattern: '^[A-Za-z0-9+/]*={0,2}$' });
const MsgId = Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

/** Host facts an agent reports at enrollment and on connect; bounded so a hostile agent cannot bloat the store. */
export const HostFacts = Type.Object(
  {
    hostname: Type.String({ minLength: 1, maxLength: 255 }),
    machine_id: Type.String({ maxLength: 128 }),
    os: Type.Object(
      {
        platform: Type.String({ maxLength: 32 }),
        name: Type.String({ maxLength: 128 }),
        version: Type.String({ maxLength: 64 }),
        kernel: Type.String({ maxLength: 128 }),
        arch: Type.String({ maxLength: 32 }),
      },
      { additionalProperties: false },
    ),
    agent_version: Type.String({ maxLength: 32 }),
    extra: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 64 })),
  },
  { additionalProperties: false },
);
export type HostFactsT = Static<typeof HostFacts>;

/** POST /agent/v1/enroll body: the token, the agent's public key, a proof it holds the private key. */
export const EnrollRequest = Type.Object(
  {
    token: Type.String({ minLength: 10, maxLength: 128 }),
    public_key: B64(64),
    facts: HostFacts,
    time: Type.Integer({ minimum: 0, description: 'agent clock, ms since epoch' }),
    proof: B64(100),
  },
  { additionalProperties: false },
);
export type EnrollRequestT = Static<typeof EnrollRequest>;

export const EnrollResponse = Type.Object({
  agent_id: Type.String(),
  account_id: Type.String(),
  signing_public_key: Type.String(),
  heartbeat_s: Type.Integer(),
  poll_s: Type.Integer(),
  server_time: Type.Integer(),
  created: Type.Boolean({ description: 'false when this key was already enrolled (same device returned)' }),
});
export type EnrollResponseT = Static<typeof EnrollResponse>;

/** One durable message from the agent's outbox; the server acknowledges it by id. */
export const OutboxItem = Type.Object(
  {
    id: MsgId,
    kind: Type.String({ minLength: 3, maxLength: 64, pattern: '^[a-z_]+\\.[a-z_]+$' }),
    at: Type.Integer({ minimum: 0 }),
    body: Type.Unknown(),
  },
  { additionalProperties: false },
);
export type OutboxItemT = Static<typeof OutboxItem>;

/**
 * The digests of the signed configuration sets the agent holds (persisted in its state dir after
 * their signature was verified), so the server re-sends a set on connect only when it differs.
 */
export const HeldSets = Type.Object(
  {
    checks_set: Type.Optional(Type.String({ maxLength: 128 })),
    rules_set: Type.Optional(Type.String({ maxLength: 128 })),
    schedule_set: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type HeldSetsT = Static<typeof HeldSets>;

/** The agent's live state it reports on connect and on change. */
export const AgentStatus = Type.Object(
  {
    mode: Type.Enum(['live', 'poll'] as const),
    version: Type.String({ maxLength: 32 }),
    outbox_depth: Type.Integer({ minimum: 0 }),
    outbox_evicted: Type.Integer({ minimum: 0 }),
    held: Type.Optional(HeldSets),
    /** Encodings the agent can read in command bodies (`deflate`: checks.set_deflated). */
    accepts: Type.Optional(Type.Array(Type.Enum(['deflate'] as const), { maxItems: 8 })),
  },
  { additionalProperties: false },
);
export type AgentStatusT = Static<typeof AgentStatus>;

// ---- agent → server (live) ----
export const AuthResponseMsg = Type.Object(
  {
    t: Type.Literal('auth.response'),
    agent_id: Type.String({ maxLength: 64 }),
    sig: B64(100),
    facts: HostFacts,
    status: AgentStatus,
  },
  { additionalProperties: false },
);
export const OutboxDeliverMsg = Type.Object(
  { t: Type.Literal('outbox.deliver'), items: Type.Array(OutboxItem, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);
export const FactsUpdateMsg = Type.Object(
  { t: Type.Literal('facts.update'), facts: HostFacts },
  { additionalProperties: false },
);
export const StatusUpdateMsg = Type.Object(
  { t: Type.Literal('status.update'), status: AgentStatus },
  { additionalProperties: false },
);
export const GoodbyeMsg = Type.Object(
  {
    t: Type.Literal('agent.goodbye'),
    reason: Type.Enum(['stop', 'uninstall', 'restart', 'mode_change'] as const),
  },
  { additionalProperties: false },
);
export const AgentToServer = Type.Union([
  AuthResponseMsg,
  OutboxDeliverMsg,
  FactsUpdateMsg,
  StatusUpdateMsg,
  GoodbyeMsg,
]);
export type AgentToServerT = Static<typeof AgentToServer>;

// ---- server → agent (live) ----
export const AuthChallengeMsg = Type.Object({
  t: Type.Literal('auth.challenge'),
  nonce: Type.String({ maxLength: 64 }),
  server_time: Type.Integer(),
});
export const AuthOkMsg = Type.Object({
  t: Type.Literal('auth.ok'),
  heartbeat_s: Type.Integer(),
  poll_s: Type.Integer(),
  mode: Type.Enum(['live', 'poll'] as const),
  server_time: Type.Integer(),
});
export const CommandMsg = Type.Object({ t: Type.Literal('command'), env: Envelope });
export const OutboxAckMsg = Type.Object({
  t: Type.Literal('outbox.ack'),
  ids: Type.Array(MsgId, { maxItems: 500 }),
});
export const ServerToAgent = Type.Union([AuthChallengeMsg, AuthOkMsg, CommandMsg, OutboxAckMsg]);
export type ServerToAgentT = Static<typeof ServerToAgent>;

// ---- poll mode ----
/** POST /agent/v1/poll body: queued outbox items and facts/status, like the live messages in one batch. */
export const PollRequest = Type.Object(
  {
    items: Type.Array(OutboxItem, { maxItems: 500 }),
    facts: Type.Optional(HostFacts),
    status: AgentStatus,
    goodbye: Type.Optional(Type.Enum(['stop', 'uninstall', 'restart', 'mode_change'] as const)),
  },
  { additionalProperties: false },
);
export type PollRequestT = Static<typeof PollRequest>;

export const PollResponse = Type.Object({
  acks: Type.Array(MsgId),
  commands: Type.Array(Envelope),
  poll_s: Type.Integer(),
  heartbeat_s: Type.Integer(),
  mode: Type.Enum(['live', 'poll'] as const),
  server_time: Type.Integer(),
});
export type PollResponseT = Static<typeof PollResponse>;

// ---- signed command bodies, by kind ----
export const ModeSetBody = Type.Object(
  {
    mode: Type.Enum(['live', 'poll'] as const),
    poll_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
  },
  { additionalProperties: false },
);
export const PingBody = Type.Object(
  { echo: Type.Optional(Type.String({ maxLength: 256 })) },
  { additionalProperties: false },
);
export const SleepBody = Type.Object(
  { ms: Type.Integer({ minimum: 0, maximum: 120_000 }) },
  { additionalProperties: false },
);

/** The body of a `command.result` outbox item. */
export const CommandResultBody = Type.Object(
  {
    command_id: MsgId,
    kind: Type.String({ maxLength: 64 }),
    campaign: Type.Optional(Type.String({ maxLength: 64 })),
    ok: Type.Boolean(),
    result: Type.Optional(Type.Unknown()),
    error: Type.Optional(
      Type.Object({ code: Type.String({ maxLength: 64 }), message: Type.String({ maxLength: 4096 }) }),
    ),
  },
  { additionalProperties: false },
);
export type CommandResultBodyT = Static<typeof CommandResultBody>;

/** The body of a `security.event` outbox item (a refused command, a tamper sign). */
export const SecurityEventBody = Type.Object(
  {
    type: Type.String({ maxLength: 64 }),
    reason: Type.String({ maxLength: 64 }),
    detail: Type.String({ maxLength: 4096 }),
    command_id: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

// ---- live queries ----
/** Body of a signed `query.run` command. */
export const QueryRunBody = Type.Object(
  {
    sql: Type.String({ minLength: 1, maxLength: 100_000 }),
    timeout_ms: Type.Integer({ minimum: 100, maximum: 600_000 }),
    max_rows: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
);
export type QueryRunBodyT = Static<typeof QueryRunBody>;

/** Body of a `query.result` outbox item: the rows as arrays (compact), in column order. */
export const QueryResultBody = Type.Object(
  {
    command_id: MsgId,
    campaign: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Enum(['done', 'error'] as const),
    columns: Type.Array(Type.String({ maxLength: 256 }), { maxItems: 1000 }),
    rows: Type.Array(
      Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null()]), { maxItems: 1000 }),
      { maxItems: 1_000_000 },
    ),
    warnings: Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 100 }),
    truncated: Type.Boolean(),
    duration_ms: Type.Integer({ minimum: 0 }),
    error: Type.Optional(
      Type.Object({ code: Type.String({ maxLength: 64 }), message: Type.String({ maxLength: 4096 }) }),
    ),
  },
  { additionalProperties: false },
);
export type QueryResultBodyT = Static<typeof QueryResultBody>;

// ---- scheduled queries ----
/** One scheduled query as the agent runs it. */
export const ScheduledQuery = Type.Object(
  {
    id: Type.String({ maxLength: 64 }),
    name: Type.String({ maxLength: 64 }),
    sql: Type.String({ minLength: 1, maxLength: 100_000 }),
    interval_s: Type.Optional(Type.Integer({ minimum: 10, maximum: 7 * 86400 })),
    cron: Type.Optional(Type.String({ maxLength: 128 })),
    mode: Type.Enum(['snapshot', 'differential'] as const),
  },
  { additionalProperties: false },
);
export type ScheduledQueryT = Static<typeof ScheduledQuery>;

/** Body of a signed `schedule.set` command: the device's whole schedule, replacing the last one. */
export const ScheduleSetBody = Type.Object(
  { queries: Type.Array(ScheduledQuery, { maxItems: 500 }) },
  { additionalProperties: false },
);
export type ScheduleSetBodyT = Static<typeof ScheduleSetBody>;

/** Body of a `query.scheduled` outbox item: a snapshot, or the rows added/removed since the last run. */
export const ScheduledResultBody = Type.Object(
  {
    query_id: Type.String({ maxLength: 64 }),
    at: Type.Integer({ minimum: 0 }),
    mode: Type.Enum(['snapshot', 'differential'] as const),
    columns: Type.Array(Type.String({ maxLength: 256 }), { maxItems: 1000 }),
    rows: Type.Optional(
      Type.Array(Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null()])), {
        maxItems: 1_000_000,
      }),
    ),
    added: Type.Optional(
      Type.Array(Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null()])), {
        maxItems: 1_000_000,
      }),
    ),
    removed: Type.Optional(
      Type.Array(Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null()])), {
        maxItems: 1_000_000,
      }),
    ),
    error: Type.Optional(
      Type.Object({ code: Type.String({ maxLength: 64 }), message: Type.String({ maxLength: 4096 }) }),
    ),
  },
  { additionalProperties: false },
);
export type ScheduledResultBodyT = Static<typeof ScheduledResultBody>;

// ---- checks ----
/** One check as the agent runs it: SQL already rendered with the device's effective parameters. */
export const RuleSetCheck = Type.Object(
  {
    name: Type.String({ maxLength: 128 }),
    severity: Type.Enum(['info', 'low', 'medium', 'high', 'critical'] as const),
    query: Type.String({ minLength: 1, maxLength: 100_000 }),
    evidence: Type.Optional(Type.String({ maxLength: 100_000 })),
    pass_when: Type.Enum(['rows', 'no_rows'] as const),
    interval_s: Type.Integer({ minimum: 60 }),
  },
  { additionalProperties: false },
);
export type RuleSetCheckT = Static<typeof RuleSetCheck>;

/** Body of a signed `checks.set` command: the device's whole rule set, replacing the last one. */
export const ChecksSetBody = Type.Object(
  {
    digest: Type.String({ maxLength: 128 }),
    checks: Type.Array(RuleSetCheck, { maxItems: 2000 }),
    full_state_interval_s: Type.Integer({ minimum: 60 }),
  },
  { additionalProperties: false },
);
export type ChecksSetBodyT = Static<typeof ChecksSetBody>;

/**
 * Body of a signed `checks.set_deflated` command: a `checks.set` body as JSON, raw-deflated and in
 * base64 (about a quarter of the size). Sent only to agents whose status `accepts` `deflate`: a
 * ~130 KB message leaves ~50 KiB of TLS buffers on a server's connection for its whole life, a
 * ~30 KB one far less (docs/benchmarks.md, "Capacity"). The agent inflates it, bounded by
 * MAX_INFLATED_SET_BYTES, only after the signature verified, then validates it as ChecksSetBody.
 */
export const ChecksSetDeflatedBody = Type.Object(
  {
    digest: Type.String({ maxLength: 128 }),
    deflated: Type.String({ maxLength: 4 * 1024 * 1024, pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
  },
  { additionalProperties: false },
);
export type ChecksSetDeflatedBodyT = Static<typeof ChecksSetDeflatedBody>;

/** Body of a signed `checks.scan` command: run the whole rule set now. */
export const ChecksScanBody = Type.Object(
  { scan_id: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);

/** One check outcome reported by an agent. */
export const CheckOutcome = Type.Object(
  {
    name: Type.String({ maxLength: 128 }),
    status: Type.Enum(['pass', 'fail', 'error'] as const),
    evidence: Type.Optional(
      Type.Object({
        columns: Type.Array(Type.String({ maxLength: 256 }), { maxItems: 200 }),
        rows: Type.Array(Type.Array(Type.Unknown(), { maxItems: 200 }), { maxItems: 50 }),
      }),
    ),
    error: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);

/** Body of a `check.results` outbox item: state changes, or the full state (`full`), or a scan's answer. */
export const CheckResultsBody = Type.Object(
  {
    digest: Type.String({ maxLength: 128 }),
    full: Type.Boolean(),
    scan_id: Type.Optional(Type.String({ maxLength: 64 })),
    at: Type.Integer({ minimum: 0 }),
    results: Type.Array(CheckOutcome, { maxItems: 2000 }),
  },
  { additionalProperties: false },
);
export type CheckResultsBodyT = Static<typeof CheckResultsBody>;
