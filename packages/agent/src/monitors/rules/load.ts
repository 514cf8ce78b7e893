/**
 * Loading detection rules: every YAML file under definitions/rules/<area>/<Name>.yaml, validated
 * against the protocol's RuleDefinition and rendered once with its defaults (so a parameter of
 * the wrong type or an unknown placeholder fails at load, naming the file).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleDefinitionT } from '@vigil/protocol';
import { VigilError, validators } from '@vigil/protocol/agent-runtime';
import YAML from 'yaml';
import { renderRule } from './render.js';

/** Where the shipped rules live (works from src and dist alike). */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../../../../definitions/rules/', import.meta.url));

// Generated at build time: the agent loads its shipped rules at start without loading TypeBox.
const validator = validators.RuleDefinition;

/** Every `{{name}}` reference anywhere in a value. */
function references(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g)) out.add(m[1] as string);
  } else if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) references(v, out);
  return out;
}

/** Parse and validate one rule file (`file` relative to the rules dir); the error names the file and the problem. */
export function parseRule(file: string, text: string): RuleDefinitionT {
  const fail = (why: string): never => {
    throw new VigilError('E_VALIDATION', `${file}: ${why}`);
  };
  let data: unknown;
  try {
    data = YAML.parse(text);
  } catch (error) {
    return fail(`not valid YAML: ${(error as Error).message}`);
  }
  let rule: RuleDefinitionT;
  try {
    rule = validator.parse(data);
  } catch (error) {
    return fail((error as Error).message);
  }
  const [, area, name] = rule.name.split('.') as [string, string, string];
  const expected = `${area.toLowerCase()}/${name}.yaml`;
  if (file.split(sep).join('/') !== expected) fail(`the file must be named after the rule: ${expected}`);
  if (!rule.match.all?.length && !rule.match.any?.length)
    fail('match needs at least one condition in all or any');
  const declared = new Set((rule.parameters ?? []).map((p) => p.name));
  for (const ref of references({ match: rule.match, threshold: rule.threshold, coalesce: rule.coalesce })) {
    if (!declared.has(ref)) fail(`the rule uses {{${ref}}} but declares no such parameter`);
  }
  try {
    renderRule(rule);
  } catch (error) {
    fail(`does not render with its defaults: ${(error as Error).message}`);
  }
  return rule;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (name.endsWith('.yaml')) out.push(path);
  }
  return out;
}

/** Load every rule under `dir` (sorted by name); duplicate names are an error. */
export function loadRules(dir: string = DEFAULT_RULES_DIR): RuleDefinitionT[] {
  const seen = new Map<string, string>();
  const rules = walk(dir).map((path) => {
    const file = relative(dir, path);
    const rule = parseRule(file, readFileSync(path, 'utf8'));
    const prior = seen.get(rule.name);
    if (prior) throw new VigilError('E_VALIDATION', `${file}: rule ${rule.name} is also defined in ${prior}`);
    seen.set(rule.name, file);
    return rule;
  });
  return rules.sort((a, b) => a.name.localeCompare(b.name));
}
