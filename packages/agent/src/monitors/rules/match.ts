/** Evaluating a rule's conditions over one monitor event's fields. */
import type { RuleSetConditionT, RuleSetRuleT } from '@vigil/protocol';
import { globToRegExp } from '../../actions/glob.js';
import { inCidrList } from './cidr.js';

/** The fields of an event, as rules see them. */
export type EventFields = Readonly<Record<string, unknown>>;

/** The value at a dotted path (`file.mode`), or undefined. */
export function fieldValue(fields: EventFields, path: string): unknown {
  if (!path.includes('.')) return fields[path];
  let v: unknown = fields;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

const globCache = new Map<string, RegExp>();

function globMatches(glob: string, value: string): boolean {
  let re = globCache.get(glob);
  if (!re) {
    re = globToRegExp(glob);
    if (globCache.size > 5000) globCache.clear();
    globCache.set(glob, re);
  }
  return re.test(value);
}

/** Whether one condition holds for the event. Every test given in the condition must hold. */
export function conditionHolds(c: RuleSetConditionT, fields: EventFields): boolean {
  const v = fieldValue(fields, c.field);
  const present = v !== undefined && v !== null;
  if (c.exists !== undefined && c.exists !== present) return false;
  if (c.equals !== undefined && v !== c.equals) return false;
  if (c.not_equals !== undefined && v === c.not_equals) return false;
  const text = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  if (c.in !== undefined && (text === undefined || !c.in.includes(text))) return false;
  if (c.not_in !== undefined && text !== undefined && c.not_in.includes(text)) return false;
  if (c.glob !== undefined && (text === undefined || !c.glob.some((g) => globMatches(g, text)))) return false;
  if (c.not_glob !== undefined && text !== undefined && c.not_glob.some((g) => globMatches(g, text)))
    return false;
  if (c.in_cidr !== undefined && (typeof v !== 'string' || !inCidrList(v, c.in_cidr))) return false;
  if (c.contains !== undefined && (text === undefined || !text.includes(c.contains))) return false;
  if (c.gte !== undefined && !(typeof v === 'number' && v >= c.gte)) return false;
  if (c.lte !== undefined && !(typeof v === 'number' && v <= c.lte)) return false;
  return true;
}

/**
 * Whether a rule can never match, whatever the event: a condition of `all` asks for membership in
 * an empty list (`in`, `in_cidr` or `glob` of nothing) — a block list left empty, say. A monitor
 * need not produce the events only such a rule listens to.
 */
export function neverMatches(match: RuleSetRuleT['match']): boolean {
  return (match.all ?? []).some((c) => c.in?.length === 0 || c.in_cidr?.length === 0 || c.glob?.length === 0);
}

/**
 * Whether every condition of `all` and at least one of `any` (when given) hold. Conditions on a
 * field in `unknown` are taken as holding: a monitor asks this before it looks up costly fields
 * (the process behind a connection) to learn whether any rule could still match.
 */
export function matchHolds(
  match: RuleSetRuleT['match'],
  fields: EventFields,
  unknown?: ReadonlySet<string>,
): boolean {
  const holds = (c: RuleSetConditionT) => unknown?.has(c.field) === true || conditionHolds(c, fields);
  if (match.all && !match.all.every(holds)) return false;
  if (match.any && match.any.length > 0 && !match.any.some(holds)) return false;
  return true;
}

/** The values of `paths` joined into one key (`10.0.0.7`, `root|10.0.0.7`); absent values are `-`. */
export function keyOf(paths: readonly string[], fields: EventFields): string {
  return paths
    .map((p) => {
      const v = fieldValue(fields, p);
      return v === undefined || v === null ? '-' : String(v);
    })
    .join('|');
}
