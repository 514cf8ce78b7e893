/**
 * Rendering a detection rule for the agent: every `{{parameter}}` reference replaced by the
 * effective value (defaults, then overrides), checked against the rendered rule's schema, so the
 * agent only ever evaluates concrete values.
 */
import type { RuleDefinitionT, RuleSetRuleT } from '@vigil/protocol';
import { VigilError, validators } from '@vigil/protocol/agent-runtime';
import { type CheckParams, effectiveParams } from '../../checks/render.js';
import { parseCidr } from './cidr.js';

// Generated at build time: the agent renders its shipped rules at start without loading TypeBox.
const renderedValidator = validators.RuleSetRule;
const WHOLE_REFERENCE = /^\{\{\s*([a-z][a-z0-9_]*)\s*\}\}$/;

/** A copy of `value` with whole-string references replaced by the parameter's (typed) value. */
function substitute(value: unknown, params: CheckParams): unknown {
  if (typeof value === 'string') {
    const m = WHOLE_REFERENCE.exec(value);
    return m ? structuredClone(params[m[1] as string]) : value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, params));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, params)]));
  return value;
}

/** The rule as the agent runs it, with `overrides` over the declared defaults. */
export function renderRule(rule: RuleDefinitionT, overrides: CheckParams = {}): RuleSetRuleT {
  const params = effectiveParams(rule, overrides);
  const rendered = {
    name: rule.name,
    title: rule.title,
    severity: rule.severity,
    attack: rule.attack,
    monitor: rule.monitor,
    match: substitute(rule.match, params),
    ...(rule.threshold ? { threshold: substitute(rule.threshold, params) } : {}),
    coalesce: substitute(rule.coalesce, params),
  };
  let out: RuleSetRuleT;
  try {
    out = renderedValidator.parse(rendered);
  } catch (error) {
    throw new VigilError('E_VALIDATION', `${rule.name}: ${(error as Error).message}`);
  }
  // An address list with a typo would silently match nothing: refuse it here, on the server.
  for (const c of [...(out.match.all ?? []), ...(out.match.any ?? [])]) {
    const bad = (c.in_cidr ?? []).find((entry) => parseCidr(entry) === null);
    if (bad !== undefined)
      throw new VigilError(
        'E_VALIDATION',
        `${rule.name}: '${bad}' in the list of '${c.field}' is not an IP address or CIDR block (203.0.113.9, 198.51.100.0/24, 2001:db8::/32)`,
      );
  }
  return out;
}
