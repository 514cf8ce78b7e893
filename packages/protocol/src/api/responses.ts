/**
 * Automated response rules as the REST API, the CLI and the console see them: when a detection
 * rule fires on an agent (and `when` holds on its event), the agent runs `actions` itself, with
 * parameters taken from the event (`"{{source_ip}}"`). Also the detection rule catalogue.
 */
import Type, { type Static } from 'typebox';
import { Severity } from '../checks.js';
import {
  DetectionRulePattern,
  MAX_RESPONSES_PER_HOUR,
  MonitorName,
  ResponseStep,
  RuleSetCondition,
} from '../rules.js';
import { Id, Name, Timestamp } from './common.js';

/** A response rule. */
export const ResponseRuleDto = Type.Object({
  id: Id,
  name: Type.String(),
  rule: Type.String(),
  group: Type.Union([Type.Object({ id: Id, name: Type.String() }), Type.Null()]),
  when: Type.Array(RuleSetCondition),
  actions: Type.Array(ResponseStep),
  dry_run: Type.Boolean(),
  max_per_hour: Type.Integer(),
  enabled: Type.Boolean({ description: 'A disabled rule is kept but not sent to agents' }),
  created_by: Type.String(),
  created_at: Timestamp,
});
export type ResponseRuleDtoT = Static<typeof ResponseRuleDto>;

/** Create a response rule. `dry_run` defaults to true: a new rule reports what it would do first. */
export const CreateResponseRuleBody = Type.Object(
  {
    name: Name,
    rule: DetectionRulePattern,
    group: Type.Optional(Name),
    when: Type.Optional(Type.Array(RuleSetCondition, { maxItems: 16 })),
    actions: Type.Array(ResponseStep, { minItems: 1, maxItems: 5 }),
    dry_run: Type.Optional(Type.Boolean()),
    max_per_hour: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RESPONSES_PER_HOUR })),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
  },
  { additionalProperties: false },
);
export type CreateResponseRuleBodyT = Static<typeof CreateResponseRuleBody>;

/** Switch a response rule on or off, between dry run and live, or change its hourly cap. */
export const UpdateResponseRuleBody = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    dry_run: Type.Optional(Type.Boolean()),
    max_per_hour: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RESPONSES_PER_HOUR })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateResponseRuleBodyT = Static<typeof UpdateResponseRuleBody>;

/** `:id` of a response rule: its id or its name. */
export const ResponseRuleParams = Type.Object({ id: Name }, { additionalProperties: false });

/** One detection rule of the catalogue, as listed. */
export const DetectionRuleSummary = Type.Object({
  name: Type.String(),
  title: Type.String(),
  description: Type.String(),
  severity: Severity,
  monitor: MonitorName,
  attack: Type.Array(Type.String()),
});
export type DetectionRuleSummaryT = Static<typeof DetectionRuleSummary>;
