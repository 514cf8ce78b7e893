/**
 * Detection rules of the agent's monitors (`definitions/rules/<area>/<Name>.yaml`), the rendered
 * form the agent runs, automated response rules, and the body of the signed `rules.set` command
 * that carries both to an agent. A rule matches events of one monitor by conditions over their
 * fields, may need a threshold (N matching events with the same key within T seconds), and names
 * the fields its alerts coalesce by. Numbers and lists may be `{{parameter}}` references, filled
 * in from the rule's typed parameters when the server renders the rule set.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { CheckParameter, Severity } from './checks.js';
import { WatchConfig } from './watch-paths.js';

/** The monitors an agent runs; each rule listens to exactly one. */
export const MONITORS = ['files', 'auth', 'processes', 'network', 'persistence'] as const;
export const MonitorName = Type.Enum(MONITORS);
export type MonitorNameT = (typeof MONITORS)[number];

/** A detection rule name: `Platform.Area.Name`, e.g. `Linux.Auth.SshBruteForce`. */
export const RULE_NAME_PATTERN = '^(Linux|MacOS|Windows)\\.[A-Z][A-Za-z0-9]+\\.[A-Z][A-Za-z0-9]+$';

/** `{{name}}`: a reference to one of the rule's parameters. */
const ParamRef = Type.String({ pattern: '^\\{\\{[a-z][a-z0-9_]*\\}\\}$' });
/** A dotted path into an event's fields, e.g. `source_ip` or `file.mode`. */
const FieldPath = Type.String({ pattern: '^[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*$', maxLength: 128 });
const Scalar = Type.Union([Type.String({ maxLength: 4096 }), Type.Number(), Type.Boolean()]);
const StringList = Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 2000 });

/** A condition's schema, given the schemas of its numbers and lists (parameter references allowed or not). */
function condition<N extends TSchema, L extends TSchema>(num: N, list: L) {
  return Type.Object(
    {
      field: FieldPath,
      /** The field equals this value. */
      equals: Type.Optional(Scalar),
      not_equals: Type.Optional(Scalar),
      /** The field (a string) is one of these. */
      in: Type.Optional(list),
      not_in: Type.Optional(list),
      /** The field matches one of these globs (`*` any run of characters, `?` one character). */
      glob: Type.Optional(list),
      not_glob: Type.Optional(list),
      /**
       * The field (an IPv4 or IPv6 address) is inside one of these networks: addresses
       * (`203.0.113.9`) or CIDR blocks (`198.51.100.0/24`, `2001:db8::/32`). An IPv4-mapped IPv6
       * address (`::ffff:203.0.113.9`) is taken as its IPv4 address.
       */
      in_cidr: Type.Optional(list),
      /** The field (a string) contains this text. */
      contains: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
      gte: Type.Optional(num),
      lte: Type.Optional(num),
      /** The field is present (true) or absent (false). */
      exists: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  );
}

/** One condition over an event field, as written in a rule file (values may be parameter references). */
export const RuleCondition = condition(
  Type.Union([Type.Number(), ParamRef]),
  Type.Union([StringList, ParamRef]),
);
/** One condition as the agent evaluates it: every value concrete. */
export const RuleSetCondition = condition(Type.Number(), StringList);
export type RuleSetConditionT = Static<typeof RuleSetCondition>;

function matchOf<T extends TSchema>(c: T) {
  return Type.Object(
    {
      all: Type.Optional(Type.Array(c, { maxItems: 32 })),
      any: Type.Optional(Type.Array(c, { maxItems: 32 })),
    },
    { additionalProperties: false },
  );
}

const Int = (min: number, max: number) => Type.Integer({ minimum: min, maximum: max });

/** A detection rule file. */
export const RuleDefinition = Type.Object(
  {
    name: Type.String({ pattern: RULE_NAME_PATTERN, description: 'Platform.Area.Name' }),
    title: Type.String({ minLength: 5, maxLength: 120 }),
    description: Type.String({ minLength: 20, description: 'what it detects and why it matters' }),
    severity: Severity,
    platforms: Type.Array(Type.Enum(['linux', 'macos', 'windows'] as const), { minItems: 1 }),
    attack: Type.Array(Type.String({ pattern: '^T[0-9]{4}(\\.[0-9]{3})?$' }), {
      minItems: 1,
      description: 'MITRE ATT&CK technique ids',
    }),
    monitor: MonitorName,
    parameters: Type.Optional(Type.Array(CheckParameter)),
    /** Every condition of `all` and at least one of `any` (when given) must hold. */
    match: matchOf(RuleCondition),
    /** Alert only when `count` matching events with the same `by` fields arrive within `window_s`. */
    threshold: Type.Optional(
      Type.Object(
        {
          count: Type.Union([Int(2, 100_000), ParamRef]),
          window_s: Type.Union([Int(1, 86_400), ParamRef]),
          by: Type.Array(FieldPath, { minItems: 1, maxItems: 8 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** Occurrences with the same key fields within the window fold into one alert. */
    coalesce: Type.Object(
      {
        key: Type.Array(FieldPath, { maxItems: 8 }),
        window_s: Type.Union([Int(1, 7 * 86_400), ParamRef]),
      },
      { additionalProperties: false },
    ),
    references: Type.Optional(
      Type.Object(
        { urls: Type.Optional(Type.Array(Type.String({ pattern: '^https://' }))) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RuleDefinitionT = Static<typeof RuleDefinition>;

/** A rule as the agent runs it: parameters already filled in. */
export const RuleSetRule = Type.Object(
  {
    name: Type.String({ pattern: RULE_NAME_PATTERN }),
    title: Type.String({ maxLength: 120 }),
    severity: Severity,
    attack: Type.Array(Type.String({ maxLength: 16 }), { maxItems: 32 }),
    monitor: MonitorName,
    match: matchOf(RuleSetCondition),
    threshold: Type.Optional(
      Type.Object(
        { count: Int(2, 100_000), window_s: Int(1, 86_400), by: Type.Array(FieldPath, { maxItems: 8 }) },
        { additionalProperties: false },
      ),
    ),
    coalesce: Type.Object(
      { key: Type.Array(FieldPath, { maxItems: 8 }), window_s: Int(1, 7 * 86_400) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type RuleSetRuleT = Static<typeof RuleSetRule>;

/** A detection rule name, or a pattern where `*` matches any run of characters. */
export const DetectionRulePattern = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9_.*-]+$',
  description: 'A detection rule name such as Linux.Auth.SshBruteForce, or a pattern with *',
});

/** One action a response takes; string parameters may be `{{field}}` references into the alert's event. */
export const ResponseStep = Type.Object(
  {
    action: Type.String({ pattern: '^[a-z]+\\.[a-z_]+$', maxLength: 64 }),
    params: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 32 }),
  },
  { additionalProperties: false },
);
export type ResponseStepT = Static<typeof ResponseStep>;

/** The most executions per hour a response rule may allow. */
export const MAX_RESPONSES_PER_HOUR = 1000;

/** An automated response as the agent evaluates it: when `rule` fires (and `when` holds) run `actions`. */
export const ResponseRule = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    rule: DetectionRulePattern,
    when: Type.Array(RuleSetCondition, { maxItems: 16 }),
    actions: Type.Array(ResponseStep, { minItems: 1, maxItems: 5 }),
    /** Report what would be done, change nothing. */
    dry_run: Type.Boolean(),
    /** Executions allowed per hour (a flood must not become a flood of actions). */
    max_per_hour: Int(1, MAX_RESPONSES_PER_HOUR),
  },
  { additionalProperties: false },
);
export type ResponseRuleT = Static<typeof ResponseRule>;

/** Body of a signed `rules.set` command: the device's detection rules and automated responses, replacing the last set. */
export const RulesSetBody = Type.Object(
  {
    digest: Type.String({ maxLength: 128 }),
    rules: Type.Array(RuleSetRule, { maxItems: 2000 }),
    responses: Type.Array(ResponseRule, { maxItems: 500 }),
    /**
     * Paths the file monitor watches besides its default list and patterns it never reports, as
     * configured for the account and the device's groups; absent when none are (so an agent from
     * before this field keeps accepting the sets of accounts that do not use it).
     */
    watch: Type.Optional(WatchConfig),
  },
  { additionalProperties: false },
);
export type RulesSetBodyT = Static<typeof RulesSetBody>;
