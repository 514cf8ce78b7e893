/**
 * The shape of a detection check file (`definitions/checks/<Platform>/<Category>/<Name>.yaml`).
 * A check passes when its query returns at least one row (`pass_when: rows`, as Fleet policies
 * do) or, declared explicitly, when it returns none (`pass_when: no_rows`).
 */
import Type, { type Static } from 'typebox';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const Severity = Type.Enum(SEVERITIES);
export type SeverityT = (typeof SEVERITIES)[number];

/** A typed parameter with its default; `{{name}}` in the query is replaced by a SQL literal. */
export const CheckParameter = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
    type: Type.Enum(['integer', 'number', 'string', 'boolean', 'string_list'] as const),
    default: Type.Union([
      Type.Integer(),
      Type.Number(),
      Type.String(),
      Type.Boolean(),
      Type.Array(Type.String()),
    ]),
    description: Type.String({ minLength: 1 }),
    minimum: Type.Optional(Type.Number()),
    maximum: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);
export type CheckParameterT = Static<typeof CheckParameter>;

/** One condition over the device fingerprint (dotted path into it). */
export const FingerprintCondition = Type.Object(
  {
    fact: Type.String({ pattern: '^[a-z_]+(\\.[a-z_]+)*$' }),
    equals: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    in: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
    contains: Type.Optional(Type.String()),
    not_contains: Type.Optional(Type.String()),
    exists: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type FingerprintConditionT = Static<typeof FingerprintCondition>;

/** When a check applies: every condition of `all` and at least one of `any` (when given). */
export const AppliesWhen = Type.Object(
  {
    all: Type.Optional(Type.Array(FingerprintCondition)),
    any: Type.Optional(Type.Array(FingerprintCondition)),
  },
  { additionalProperties: false },
);
export type AppliesWhenT = Static<typeof AppliesWhen>;

export const CheckDefinition = Type.Object(
  {
    name: Type.String({
      pattern: '^(Linux|MacOS|Windows)\\.[A-Z][A-Za-z0-9]+\\.[A-Z][A-Za-z0-9]+$',
      description: 'Platform.Category.Name',
    }),
    title: Type.String({ minLength: 5, maxLength: 120 }),
    description: Type.String({ minLength: 20, description: 'why it matters' }),
    severity: Severity,
    category: Type.String({ pattern: '^[a-z][a-z0-9_-]*$' }),
    platforms: Type.Array(Type.Enum(['linux', 'macos', 'windows'] as const), { minItems: 1 }),
    applies_when: Type.Optional(AppliesWhen),
    parameters: Type.Optional(Type.Array(CheckParameter)),
    query: Type.String({ minLength: 8 }),
    pass_when: Type.Optional(Type.Enum(['rows', 'no_rows'] as const)),
    evidence: Type.Optional(
      Type.String({ minLength: 8, description: 'SQL whose rows are shown when the check fails' }),
    ),
    interval_s: Type.Optional(Type.Integer({ minimum: 60 })),
    remediation: Type.Object(
      {
        text: Type.String({ minLength: 10 }),
        action: Type.Optional(
          Type.Object(
            { name: Type.String(), params: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    references: Type.Object(
      {
        cis: Type.Optional(Type.Array(Type.String())),
        attack: Type.Optional(Type.Array(Type.String({ pattern: '^T[0-9]{4}(\\.[0-9]{3})?$' }))),
        urls: Type.Optional(Type.Array(Type.String({ pattern: '^https://' }))),
      },
      { additionalProperties: false },
    ),
    verified: Type.Optional(
      Type.Boolean({ description: 'false for checks of platforms whose tables do not exist yet' }),
    ),
  },
  { additionalProperties: false },
);
export type CheckDefinitionT = Static<typeof CheckDefinition>;
