/** Loading check definitions: every YAML file under definitions/checks, validated against the schema. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckDefinition, type CheckDefinitionT, compileValidator, VigilError } from '@vigil/protocol';
import YAML from 'yaml';

/** Where the shipped checks live (works from src and dist alike). */
export const DEFAULT_CHECKS_DIR = fileURLToPath(new URL('../../../../definitions/checks/', import.meta.url));

const validator = compileValidator(CheckDefinition);

/** Parse and validate one check file; the error names the file and the problem. */
export function parseCheck(file: string, text: string): CheckDefinitionT {
  let data: unknown;
  try {
    data = YAML.parse(text);
  } catch (error) {
    throw new VigilError('E_VALIDATION', `${file}: not valid YAML: ${(error as Error).message}`);
  }
  let check: CheckDefinitionT;
  try {
    check = validator.parse(data);
  } catch (error) {
    throw new VigilError('E_VALIDATION', `${file}: ${(error as Error).message}`);
  }
  const declared = new Set((check.parameters ?? []).map((p) => p.name));
  for (const sql of [check.query, check.evidence ?? '']) {
    for (const m of sql.matchAll(/\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g)) {
      if (!declared.has(m[1] as string))
        throw new VigilError(
          'E_VALIDATION',
          `${file}: the query uses {{${m[1]}}} but declares no such parameter`,
        );
    }
  }
  const expected = check.name.split('.').slice(-1)[0];
  if (!file.endsWith(`${expected}.yaml`))
    throw new VigilError(
      'E_VALIDATION',
      `${file}: the file must be named after the check (${expected}.yaml)`,
    );
  return check;
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

/** Load every check under `dir`; duplicate names are an error. */
export function loadChecks(dir: string = DEFAULT_CHECKS_DIR): CheckDefinitionT[] {
  const seen = new Map<string, string>();
  return walk(dir).map((path) => {
    const file = relative(dir, path);
    const check = parseCheck(file, readFileSync(path, 'utf8'));
    const prior = seen.get(check.name);
    if (prior)
      throw new VigilError('E_VALIDATION', `${file}: check ${check.name} is also defined in ${prior}`);
    seen.set(check.name, file);
    return check;
  });
}
