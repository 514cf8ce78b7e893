/**
 * Loading action declarations (definitions/actions/<name>.yaml), validated against the protocol's
 * ActionDefinition, and validating a run's parameters against an action's parameter schema — the
 * same function on the server (before anything is sent) and on the agent (before anything runs).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ActionDefinition,
  type ActionDefinitionT,
  compileValidator,
  type Validator,
  VigilError,
} from '@vigil/protocol';
import type { TSchema } from 'typebox';
import YAML from 'yaml';

/** Where the shipped actions live (works from src and dist alike). */
export const DEFAULT_ACTIONS_DIR = fileURLToPath(
  new URL('../../../../definitions/actions/', import.meta.url),
);

const definitionValidator = compileValidator(ActionDefinition);

type ParamsValidator = Validator<TSchema>;
/** One compiled validator per parameter schema object (declarations are loaded once and kept). */
const compiled = new WeakMap<object, ParamsValidator>();

function paramsValidator(def: ActionDefinitionT): ParamsValidator {
  let v = compiled.get(def.params);
  if (!v) {
    v = compileValidator(def.params as unknown as TSchema);
    compiled.set(def.params, v);
  }
  return v;
}

/** The groups of fields a `oneOf` of `required` lists asks for, e.g. [['pid'], ['name']]. */
function alternatives(def: ActionDefinitionT): string[][] | undefined {
  const oneOf = (def.params as { oneOf?: unknown }).oneOf;
  if (!Array.isArray(oneOf)) return undefined;
  return oneOf.map((branch) => ((branch as { required?: string[] }).required ?? []).slice());
}

/** Check the declaration's own consistency beyond its shape; `file` names it in errors. */
function checkDeclaration(file: string, def: ActionDefinitionT): void {
  const fail = (why: string): never => {
    throw new VigilError('E_VALIDATION', `${file}: ${why}`);
  };
  if (!file.endsWith(`${def.name}.yaml`)) fail(`the file must be named after the action (${def.name}.yaml)`);
  const platforms = def.platforms.map((p) => p.platform);
  if (new Set(platforms).size !== platforms.length) fail('a platform is listed twice');
  if (def.risk === 'high' && !def.approval)
    fail('a high-risk action must declare approval: true (accounts may relax it, declarations may not)');
  const props = def.params.properties;
  for (const [name, schema] of Object.entries(props)) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) fail(`parameter '${name}' must be snake_case`);
    const s = schema as { description?: unknown; default?: unknown };
    if (typeof s.description !== 'string' || s.description.length === 0)
      fail(`parameter '${name}' needs a description (it is shown in the catalogue and the CLI)`);
    if (s.default !== undefined) {
      let ok = false;
      try {
        ok = compileValidator(schema as TSchema).check(s.default);
      } catch (error) {
        fail(`parameter '${name}' has a schema that does not compile: ${(error as Error).message}`);
      }
      if (!ok) fail(`the default of parameter '${name}' does not match its own schema`);
    }
  }
  const named = [def.params.required ?? [], ...(alternatives(def) ?? [])].flat();
  for (const name of named) if (!(name in props)) fail(`required parameter '${name}' is not declared`);
  try {
    paramsValidator(def);
  } catch (error) {
    fail(`the parameter schema does not compile: ${(error as Error).message}`);
  }
}

/** Parse and validate one declaration file; the error names the file and the problem. */
export function parseAction(file: string, text: string): ActionDefinitionT {
  let data: unknown;
  try {
    data = YAML.parse(text);
  } catch (error) {
    throw new VigilError('E_VALIDATION', `${file}: not valid YAML: ${(error as Error).message}`);
  }
  let def: ActionDefinitionT;
  try {
    def = definitionValidator.parse(data);
  } catch (error) {
    throw new VigilError('E_VALIDATION', `${file}: ${(error as Error).message}`);
  }
  checkDeclaration(file, def);
  return def;
}

/** Load every action under `dir` (sorted by name); duplicate names and unknown undo actions are errors. */
export function loadActions(dir: string = DEFAULT_ACTIONS_DIR): ActionDefinitionT[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort();
  const defs = files.map((file) => parseAction(file, readFileSync(join(dir, file), 'utf8')));
  const byName = new Map<string, ActionDefinitionT>();
  for (const def of defs) {
    if (byName.has(def.name))
      throw new VigilError('E_VALIDATION', `${def.name}.yaml: action ${def.name} is declared twice`);
    byName.set(def.name, def);
  }
  for (const def of defs) {
    if (def.undo && !byName.has(def.undo))
      throw new VigilError('E_VALIDATION', `${def.name}.yaml: its undo action ${def.undo} is not declared`);
  }
  return defs.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Validate a run's parameters against the action's schema and return them with the declared
 * defaults filled in (a new object; the input is not changed). Throws E_VALIDATION naming the
 * action and the offending field.
 */
export function validateActionParams(def: ActionDefinitionT, params: unknown): Record<string, unknown> {
  const fail = (why: string): never => {
    throw new VigilError('E_VALIDATION', `${def.name}: ${why}`);
  };
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    fail('the parameters must be an object');
  const given = params as Record<string, unknown>;
  // A oneOf of required lists fails with "must match exactly one schema", which names no field:
  // say which fields are expected instead.
  const alts = alternatives(def);
  if (alts) {
    const matching = alts.filter((group) => group.every((f) => f in given));
    const partial = alts.some((group) => group.length > 1 && group.some((f) => f in given));
    if (matching.length !== 1) {
      const options = alts.map((g) => g.map((f) => `'${f}'`).join(' + ')).join(', or ');
      const present = alts.flat().filter((f) => f in given);
      fail(
        matching.length === 0
          ? `give ${options}${partial ? ` (only ${present.map((f) => `'${f}'`).join(', ')} given)` : ''}`
          : `give only one of ${options} (got ${present.map((f) => `'${f}'`).join(', ')})`,
      );
    }
  }
  try {
    paramsValidator(def).parse(given);
  } catch (error) {
    fail((error as Error).message.replace(/^the input/, 'the parameters'));
  }
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(def.params.properties)) {
    const fallback = (schema as { default?: unknown }).default;
    if (fallback !== undefined) out[name] = structuredClone(fallback);
  }
  return Object.assign(out, given);
}
