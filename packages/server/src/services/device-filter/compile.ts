/**
 * Compile a device-filter tree into a Kysely boolean expression over the `devices` table, for
 * SQLite or PostgreSQL. Every literal from the filter is a bound parameter, never SQL text.
 *
 * Every predicate is two-valued: when the field has no value (a NULL column, a missing fact, a
 * non-numeric value in a numeric comparison) the predicate is false, so NOT turns it true.
 */
import { type Expression, expressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../../store/schema.js';
import { COLUMN_FIELDS, type CompareOp, type DeviceFilter, type FieldRef, type Literal } from './ast.js';
import { likeParts, toPostgresLike, toSqliteGlob } from './like-pattern.js';

/** The store engine the expression is built for. */
export type StoreKind = 'sqlite' | 'postgres';

type Fragment = RawBuilder<unknown>;

const OPERATORS: Record<CompareOp, Fragment> = {
  '=': sql.raw('='),
  '!=': sql.raw('<>'),
  '<': sql.raw('<'),
  '<=': sql.raw('<='),
  '>': sql.raw('>'),
  '>=': sql.raw('>='),
};

/** A decimal number written as text: what numeric comparisons accept from a text value. */
const PG_NUMERIC_TEXT = '^-?[0-9]+(\\.[0-9]+)?$';

function textParam(value: string, kind: StoreKind): Fragment {
  // PostgreSQL cannot infer a parameter's type inside lower() or coalesce(); say it.
  return kind === 'postgres' ? sql`${value}::text` : sql`${value}`;
}

function numberParam(value: number, kind: StoreKind): Fragment {
  return kind === 'postgres' ? sql`${value}::numeric` : sql`${value}`;
}

/** The SQLite test that a text value is a decimal number (SQLite has no built-in regexp). */
function sqliteIsNumericText(v: Fragment): Fragment {
  return sql`((${v} glob '[0-9]*' or ${v} glob '-[0-9]*') and substr(${v}, 2) not glob '*[^0-9.]*' and ${v} not glob '*.*.*' and ${v} not glob '*.')`;
}

function factPathSqlite(path: string[]): string {
  return `$.${path.join('.')}`;
}

/** The fact document, or NULL when a device's facts text is not valid JSON (SQLite only). */
function sqliteFacts(): Fragment {
  return sql`(case when json_valid(${sql.ref('devices.facts')}) then ${sql.ref('devices.facts')} end)`;
}

/** The value of a field as text: strings, numbers and booleans of facts; NULL otherwise. */
function textOf(field: FieldRef, kind: StoreKind): Fragment {
  if (field.kind === 'column') return sql.ref(`devices.${COLUMN_FIELDS[field.name].column}`);
  if (kind === 'postgres') {
    // Parse the facts once per predicate and row: OFFSET 0 keeps the planner from inlining the
    // subquery, which would repeat the jsonb cast wherever the value is used.
    const fact = sql`(${sql.ref('devices.facts')})::jsonb #> ${field.path}::text[]`;
    return sql`(select case when jsonb_typeof(f.e) in ('string', 'number', 'boolean') then f.e #>> '{}' end from (select ${fact} as e offset 0) as f)`;
  }
  const path = factPathSqlite(field.path);
  const type = sql`json_type(${sqliteFacts()}, ${path})`;
  return sql`(case when ${type} in ('text', 'integer', 'real') then cast(json_extract(${sqliteFacts()}, ${path}) as text) when ${type} in ('true', 'false') then ${type} end)`;
}

/** The value of a field as a number: JSON numbers and decimal-number text; NULL otherwise. */
function numberOf(field: FieldRef, kind: StoreKind): Fragment {
  if (kind === 'postgres') {
    return sql`(select case when n.t ~ ${PG_NUMERIC_TEXT}::text then n.t::numeric end from (select ${textOf(field, kind)} as t offset 0) as n)`;
  }
  if (field.kind === 'column') {
    const text = textOf(field, kind);
    return sql`(case when ${sqliteIsNumericText(text)} then cast(${text} as real) end)`;
  }
  const path = factPathSqlite(field.path);
  const type = sql`json_type(${sqliteFacts()}, ${path})`;
  const value = sql`json_extract(${sqliteFacts()}, ${path})`;
  return sql`(case when ${type} in ('integer', 'real') then ${value} when ${type} = 'text' and ${sqliteIsNumericText(value)} then cast(${value} as real) end)`;
}

function isHostname(field: FieldRef): boolean {
  return field.kind === 'column' && field.name === 'hostname';
}

/** The field and a literal as two comparable operands, with the case rule applied. */
function operands(field: FieldRef, value: Literal, kind: StoreKind): [Fragment, Fragment] {
  if (value.type === 'number') return [numberOf(field, kind), numberParam(value.value, kind)];
  const text = textOf(field, kind);
  const param = textParam(value.value, kind);
  return isHostname(field) ? [sql`lower(${text})`, sql`lower(${param})`] : [text, param];
}

/** A comparison that is false, not NULL, when the field has no value. */
function twoValued(predicate: Fragment, kind: StoreKind): Fragment {
  return sql`coalesce(${predicate}, ${kind === 'postgres' ? sql`false` : sql`0`})`;
}

function compileCompare(field: FieldRef, op: CompareOp, value: Literal, kind: StoreKind): Fragment {
  const [left, right] = operands(field, value, kind);
  // PostgreSQL's default collation orders text by locale; "C" orders by code point like SQLite.
  const collate =
    kind === 'postgres' && value.type === 'string' && op !== '=' && op !== '!=' ? sql` collate "C"` : sql``;
  return twoValued(sql`(${left}${collate} ${OPERATORS[op]} ${right})`, kind);
}

function compileIn(field: FieldRef, negated: boolean, values: Literal[], kind: StoreKind): Fragment {
  const pairs = values.map((v) => operands(field, v, kind));
  const left = (pairs[0] as [Fragment, Fragment])[0];
  const list = sql.join(pairs.map(([, right]) => right));
  return twoValued(negated ? sql`(${left} not in (${list}))` : sql`(${left} in (${list}))`, kind);
}

function compileLike(field: FieldRef, negated: boolean, pattern: string, kind: StoreKind): Fragment {
  const parts = likeParts(pattern);
  if ('badEscapeAt' in parts) throw new Error('unreachable: the parser rejects bad LIKE escapes');
  const hostname = isHostname(field);
  const text = hostname ? sql`lower(${textOf(field, kind)})` : textOf(field, kind);
  const not = negated ? sql`not ` : sql``;
  if (kind === 'postgres') {
    const param = textParam(toPostgresLike(parts), kind);
    const right = hostname ? sql`lower(${param})` : param;
    return twoValued(sql`(${text} ${not}like ${right} escape '\\')`, kind);
  }
  // SQLite's LIKE ignores ASCII case; GLOB is case-sensitive like PostgreSQL's LIKE.
  const param = textParam(toSqliteGlob(parts), kind);
  const right = hostname ? sql`lower(${param})` : param;
  return twoValued(sql`(${text} ${not}glob ${right})`, kind);
}

function compileContains(collection: 'tags' | 'groups', value: string): Expression<SqlBool> {
  const eb = expressionBuilder<Database, 'devices'>();
  if (collection === 'tags') {
    return eb.exists(
      eb
        .selectFrom('device_tags')
        .select('device_tags.tag')
        .whereRef('device_tags.device_id', '=', 'devices.id')
        .where('device_tags.tag', '=', value),
    );
  }
  // Only static groups: a dynamic group's membership is itself computed from a filter, and
  // letting filters read it would allow cycles between dynamic groups.
  return eb.exists(
    eb
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select('group_members.group_id')
      .whereRef('group_members.device_id', '=', 'devices.id')
      .whereRef('groups.account_id', '=', 'devices.account_id')
      .where('groups.kind', '=', 'static')
      .where('groups.name', '=', value),
  );
}

function compile(node: DeviceFilter, kind: StoreKind): Expression<unknown> {
  switch (node.type) {
    case 'and':
      return sql`(${sql.join(
        node.operands.map((o) => compile(o, kind)),
        sql` and `,
      )})`;
    case 'or':
      return sql`(${sql.join(
        node.operands.map((o) => compile(o, kind)),
        sql` or `,
      )})`;
    case 'not':
      return sql`(not ${compile(node.operand, kind)})`;
    case 'compare':
      return compileCompare(node.field, node.op, node.value, kind);
    case 'in':
      return compileIn(node.field, node.negated, node.values, kind);
    case 'like':
      return compileLike(node.field, node.negated, node.pattern, kind);
    case 'contains':
      return compileContains(node.collection, node.value);
  }
}

/** A boolean expression over the unaliased `devices` table that is true where the filter matches. */
export function deviceFilterExpression(ast: DeviceFilter, kind: StoreKind): Expression<SqlBool> {
  return sql<SqlBool>`${compile(ast, kind)}`;
}
