/**
 * The automated response form as typed, and the rule it becomes: parameters are literal values or
 * `{{field}}` references filled in from the alert's event on the agent (`{{source_ip}}`, `{{pid}}`).
 */
import type { CreateResponseRuleBodyT, ResponseStepT, RuleSetConditionT } from '@vigil/protocol';
import type { ParamSchema, ParamsSchema } from '../actions/schema-params.js';

/** The condition operators the form offers. */
export const CONDITION_OPS = ['equals', 'not_equals', 'contains'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

/** Every field of the form, as text. */
export interface ResponseDraft {
  name: string;
  rule: string;
  condField: string;
  condOp: ConditionOp;
  condValue: string;
  action: string;
  params: Record<string, string>;
  dryRun: boolean;
  maxPerHour: string;
  group: string;
}

/** A blank form: a dry run, ten executions an hour, every device. */
export function emptyResponseDraft(): ResponseDraft {
  return {
    name: '',
    rule: '',
    condField: '',
    condOp: 'equals',
    condValue: '',
    action: '',
    params: {},
    dryRun: true,
    maxPerHour: '10',
    group: '',
  };
}

const REFERENCE = /^\{\{[a-z_][a-z0-9_.]*\}\}$/;

/** One typed value: a `{{field}}` reference stays text (the agent types it from the event), others follow the schema. */
export function paramValue(schema: ParamSchema | undefined, raw: string): unknown {
  const v = raw.trim();
  if (REFERENCE.test(v)) return v;
  switch (schema?.type) {
    case 'integer':
    case 'number':
      return Number(v);
    case 'boolean':
      return v === 'true';
    case 'array':
      return v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}

/** The action's parameters from the typed values; empty fields are left out. */
export function responseParams(
  schema: ParamsSchema,
  values: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) {
    if (raw.trim() === '' || !(name in schema.properties)) continue;
    out[name] = paramValue(schema.properties[name] as ParamSchema, raw);
  }
  return out;
}

/** The optional condition, or none when its field is empty. Numbers and true/false compare typed. */
export function conditionOf(
  d: Pick<ResponseDraft, 'condField' | 'condOp' | 'condValue'>,
): RuleSetConditionT[] {
  const field = d.condField.trim();
  if (!field) return [];
  if (d.condOp === 'contains') return [{ field, contains: d.condValue }];
  const v = d.condValue.trim();
  const value = /^-?\d{1,15}$/.test(v)
    ? Number(v)
    : v === 'true' || v === 'false'
      ? v === 'true'
      : d.condValue;
  return [{ field, [d.condOp]: value }];
}

/** POST /api/v1/responses. */
export function responseBody(d: ResponseDraft, schema: ParamsSchema): CreateResponseRuleBodyT {
  return {
    name: d.name.trim(),
    rule: d.rule.trim(),
    when: conditionOf(d),
    actions: [{ action: d.action, params: responseParams(schema, d.params) }],
    dry_run: d.dryRun,
    max_per_hour: Number(d.maxPerHour),
    ...(d.group ? { group: d.group } : {}),
  };
}

/** `network.block_ip address={{source_ip}} expires_s=3600`: one step as a line of text. */
export function stepText(s: ResponseStepT): string {
  const params = Object.entries(s.params).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return [s.action, ...params].join(' ');
}

/** `user != root`: one condition as text. */
export function conditionText(c: RuleSetConditionT): string {
  const ops: Array<[keyof RuleSetConditionT, string]> = [
    ['equals', '='],
    ['not_equals', '!='],
    ['contains', 'contains'],
    ['in', 'in'],
    ['not_in', 'not in'],
    ['glob', 'matches'],
    ['not_glob', 'does not match'],
    ['gte', '≥'],
    ['lte', '≤'],
    ['exists', 'exists'],
  ];
  const parts = ops
    .filter(([k]) => c[k] !== undefined)
    .map(([k, op]) => `${op} ${Array.isArray(c[k]) ? (c[k] as unknown[]).join(', ') : String(c[k])}`);
  return `${c.field} ${parts.join(' and ')}`;
}
