/**
 * Response actions: the shape of an action declaration (`definitions/actions/<name>.yaml`), the
 * body of the signed `action.run` command and of the agent's durable `action.result` report.
 * One contract for the server (which validates parameters before sending), the agent (which
 * validates them again before acting) and the CLI.
 */
import Type, { type Static } from 'typebox';

export const ACTION_RISKS = ['low', 'high'] as const;
export type ActionRiskT = (typeof ACTION_RISKS)[number];

export const ACTION_PLATFORMS = ['linux', 'darwin', 'windows'] as const;
export type ActionPlatformT = (typeof ACTION_PLATFORMS)[number];

/** An action name: `area.verb` (`process.kill`, `network.block_ip`). */
export const ActionName = Type.String({ pattern: '^[a-z]+\\.[a-z_]+$', maxLength: 64 });

/** One platform's implementation status: whether it has been run on a real host of that platform. */
export const ActionPlatformSupport = Type.Object(
  {
    platform: Type.Enum(ACTION_PLATFORMS),
    verified: Type.Boolean(),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

/** A declaration file. `params` is a JSON Schema object (validated with the project's validator). */
export const ActionDefinition = Type.Object(
  {
    name: ActionName,
    title: Type.String({ minLength: 1, maxLength: 120 }),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    platforms: Type.Array(ActionPlatformSupport, { minItems: 1 }),
    risk: Type.Enum(ACTION_RISKS),
    /** Whether a second admin must approve a run (the two-person rule); high risk implies it unless an account turns it off. */
    approval: Type.Boolean(),
    timeout_s: Type.Integer({ minimum: 1, maximum: 86_400 }),
    dry_run: Type.Boolean(),
    /** The action that undoes this one (`file.quarantine` → `file.restore`), if any. */
    undo: Type.Optional(ActionName),
    params: Type.Object(
      {
        type: Type.Literal('object'),
        properties: Type.Record(Type.String(), Type.Unknown()),
        required: Type.Optional(Type.Array(Type.String())),
        additionalProperties: Type.Literal(false),
      },
      { additionalProperties: true },
    ),
    /** What `details` of a result holds, in words, for the catalogue. */
    result: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type ActionDefinitionT = Static<typeof ActionDefinition>;

/** Body of a signed `action.run` command. The command id is the idempotency key on the agent. */
export const ActionRunBody = Type.Object(
  {
    run_id: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    action: ActionName,
    params: Type.Record(Type.String(), Type.Unknown()),
    dry_run: Type.Boolean(),
    timeout_s: Type.Integer({ minimum: 1, maximum: 86_400 }),
  },
  { additionalProperties: false },
);
export type ActionRunBodyT = Static<typeof ActionRunBody>;

export const ACTION_RESULT_STATUSES = ['succeeded', 'failed', 'timed_out', 'refused'] as const;
export type ActionResultStatusT = (typeof ACTION_RESULT_STATUSES)[number];

/** Why an action failed: a stable code, a message a person can act on, and the command's own words. */
export const ActionError = Type.Object(
  {
    code: Type.String({ maxLength: 64 }),
    message: Type.String({ maxLength: 4096 }),
    exit_code: Type.Optional(Type.Integer()),
    stderr_tail: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type ActionErrorT = Static<typeof ActionError>;

/** Body of an `action.result` outbox item (durable: it survives agent restarts and disconnects). */
export const ActionResultBody = Type.Object(
  {
    command_id: Type.String({ minLength: 8, maxLength: 64 }),
    run_id: Type.String({ minLength: 8, maxLength: 64 }),
    action: ActionName,
    status: Type.Enum(ACTION_RESULT_STATUSES),
    dry_run: Type.Boolean(),
    /** Whether the device changed (false for a dry run or when it was already in the asked state). */
    changed: Type.Boolean(),
    summary: Type.String({ maxLength: 2000 }),
    details: Type.Record(Type.String(), Type.Unknown()),
    /** The action and parameters that would undo this one, when the catalogue offers an undo. */
    undo: Type.Optional(
      Type.Object(
        { action: ActionName, params: Type.Record(Type.String(), Type.Unknown()) },
        { additionalProperties: false },
      ),
    ),
    error: Type.Optional(ActionError),
    /** Set when the run came from an automated response rule on the agent rather than from the server. */
    rule: Type.Optional(Type.String({ maxLength: 128 })),
    started_at: Type.Integer({ minimum: 0 }),
    duration_ms: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type ActionResultBodyT = Static<typeof ActionResultBody>;
