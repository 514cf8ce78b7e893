/**
 * Detection rules with their parameters, as the REST API, the CLI and the console see them, and
 * the account's values for those parameters (a block list, known-bad hashes, a threshold), which
 * the server renders into its devices' rule sets instead of the defaults.
 */
import Type, { type Static } from 'typebox';
import { CheckParameter, Severity } from '../checks.js';
import { MonitorName, RULE_NAME_PATTERN } from '../rules.js';
import { Timestamp } from './common.js';

/** One detection rule with its declared parameters and the account's values. */
export const MonitoringRuleDto = Type.Object({
  name: Type.String(),
  title: Type.String(),
  severity: Severity,
  monitor: MonitorName,
  parameters: Type.Array(CheckParameter),
  /** The values the account set (the others keep their defaults). */
  params: Type.Record(Type.String(), Type.Unknown()),
  /** Every parameter's value in force: the account's, else the default. */
  effective: Type.Record(Type.String(), Type.Unknown()),
  updated_by: Type.Union([Type.String(), Type.Null()]),
  updated_at: Type.Union([Timestamp, Type.Null()]),
});
export type MonitoringRuleDtoT = Static<typeof MonitoringRuleDto>;

/** Set a rule's parameters for the account (replacing what was set); `{}` goes back to the defaults. */
export const SetRuleParamsBody = Type.Object(
  {
    params: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), Type.Unknown(), {
      maxProperties: 32,
    }),
  },
  { additionalProperties: false },
);
export type SetRuleParamsBodyT = Static<typeof SetRuleParamsBody>;

/** `:name` of a detection rule. */
export const MonitoringRuleParams = Type.Object(
  { name: Type.String({ pattern: RULE_NAME_PATTERN, maxLength: 128 }) },
  { additionalProperties: false },
);
