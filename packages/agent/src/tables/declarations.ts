import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VigilError } from '@vigil/protocol/agent-runtime';
import { parse } from 'yaml';

/** SQLite column types a declaration may use. */
export type ColumnType = 'TEXT' | 'INTEGER' | 'BIGINT' | 'DOUBLE';

/** One column of a declared table. */
export interface ColumnDeclaration {
  name: string;
  type: ColumnType;
  description: string;
  /** A column the query must constrain (alternatives: one of a table's required columns suffices). */
  required: boolean;
  /** A column whose literal constraints are passed to the collector to bound what it reads. */
  index: boolean;
  /** A column osquery hides from `SELECT *`; Vigil still lists it (documentation only). */
  hidden: boolean;
}

/** One table as declared in `definitions/tables/<name>.yaml`. */
export interface TableDeclaration {
  name: string;
  description: string;
  platforms: string[];
  source: string;
  columns: ColumnDeclaration[];
  examples: string[];
  /** True for tables osquery does not have (Vigil's own); `vigilOwnReason` says why. */
  vigilOwn: boolean;
  vigilOwnReason: string | null;
  /** The YAML file it came from. */
  file: string;
}

const COLUMN_TYPES = new Set<string>(['TEXT', 'INTEGER', 'BIGINT', 'DOUBLE']);
const NAME = /^[a-z][a-z0-9_]*$/;

/** The folder holding the table declarations, resolved so it works from both src and dist. */
export const DEFAULT_DECLARATIONS_DIR = fileURLToPath(
  new URL('../../../../definitions/tables/', import.meta.url),
);

function fail(file: string, message: string): never {
  throw new VigilError('E_CONFIG', `invalid table declaration ${file}: ${message}`);
}

function text(file: string, value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(file, `${what} must be a non-empty string`);
  return value;
}

function flag(file: string, value: unknown, what: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail(file, `${what} must be true or false`);
  return value;
}

function parseColumn(file: string, raw: unknown, index: number): ColumnDeclaration {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail(file, `columns[${index}] must be a map`);
  const c = raw as Record<string, unknown>;
  const known = new Set(['name', 'type', 'description', 'required', 'index', 'hidden']);
  for (const key of Object.keys(c))
    if (!known.has(key)) fail(file, `columns[${index}] has unknown key "${key}"`);
  const name = text(file, c.name, `columns[${index}].name`);
  if (!NAME.test(name)) fail(file, `column name "${name}" must be snake_case`);
  const type = text(file, c.type, `column ${name} type`);
  if (!COLUMN_TYPES.has(type))
    fail(file, `column ${name} type "${type}" must be one of TEXT, INTEGER, BIGINT, DOUBLE`);
  return {
    name,
    type: type as ColumnType,
    description: text(file, c.description, `column ${name} description`),
    required: flag(file, c.required, `column ${name} required`),
    index: flag(file, c.index, `column ${name} index`),
    hidden: flag(file, c.hidden, `column ${name} hidden`),
  };
}

/** Parses and validates one declaration's YAML text; `file` names it in every error. */
export function parseDeclaration(file: string, source: string): TableDeclaration {
  let doc: unknown;
  try {
    doc = parse(source);
  } catch (err) {
    fail(file, `YAML does not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail(file, 'the document must be a map');
  const d = doc as Record<string, unknown>;
  const known = new Set([
    'name',
    'description',
    'platforms',
    'source',
    'columns',
    'examples',
    'vigil_own',
    'vigil_own_reason',
  ]);
  for (const key of Object.keys(d)) if (!known.has(key)) fail(file, `unknown key "${key}"`);
  const name = text(file, d.name, 'name');
  if (!NAME.test(name)) fail(file, `table name "${name}" must be snake_case`);
  if (
    !Array.isArray(d.platforms) ||
    d.platforms.length === 0 ||
    !d.platforms.every((p) => typeof p === 'string')
  ) {
    fail(file, 'platforms must be a non-empty list of strings');
  }
  if (!Array.isArray(d.columns) || d.columns.length === 0) fail(file, 'columns must be a non-empty list');
  const columns = d.columns.map((raw, i) => parseColumn(file, raw, i));
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) fail(file, `column "${column.name}" is declared twice`);
    seen.add(column.name);
  }
  const examples = d.examples ?? [];
  if (!Array.isArray(examples) || !examples.every((e) => typeof e === 'string')) {
    fail(file, 'examples must be a list of SQL strings');
  }
  const vigilOwn = flag(file, d.vigil_own, 'vigil_own');
  const reason = d.vigil_own_reason === undefined ? null : text(file, d.vigil_own_reason, 'vigil_own_reason');
  if (vigilOwn && reason === null) fail(file, 'vigil_own: true needs a vigil_own_reason');
  if (!vigilOwn && reason !== null) fail(file, 'vigil_own_reason is only allowed with vigil_own: true');
  return {
    name,
    description: text(file, d.description, 'description'),
    platforms: d.platforms as string[],
    source: text(file, d.source, 'source'),
    columns,
    examples: examples as string[],
    vigilOwn,
    vigilOwnReason: reason,
    file,
  };
}

/** Loads every `*.yaml` in a folder (default: definitions/tables), sorted by table name; fails loudly naming a bad file. */
export function loadDeclarations(dir: string = DEFAULT_DECLARATIONS_DIR): TableDeclaration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const tables = files.map((f) => {
    const declaration = parseDeclaration(f, readFileSync(join(dir, f), 'utf8'));
    const stem = f.replace(/\.ya?ml$/, '');
    if (declaration.name !== stem) fail(f, `name "${declaration.name}" must match the file name "${stem}"`);
    return declaration;
  });
  return tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
