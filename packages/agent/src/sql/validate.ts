import { VigilError } from '@vigil/protocol/agent-runtime';
import Database from 'better-sqlite3';
import type { TableDeclaration } from '../tables/declarations.js';
import { analyzeQuery } from './constraints.js';
import { registerOsqueryFunctions, rewriteDoubleQuotedStrings, rewriteUsingJoins } from './osquery-compat.js';
import { assertReadOnlyPrepared, assertReadOnlyText } from './read-only.js';
import { registerTables } from './register-tables.js';
import { requiredMessage, tableSpecs } from './table-specs.js';

const cache = new WeakMap<
  readonly TableDeclaration[],
  { db: Database.Database; specs: ReturnType<typeof tableSpecs>; identifiers: Map<string, readonly string[]> }
>();

function schemaDb(schema: readonly TableDeclaration[]) {
  let entry = cache.get(schema);
  if (entry === undefined) {
    const db = new Database(':memory:');
    registerTables(db, schema, () => []);
    registerOsqueryFunctions(db);
    db.pragma('query_only = ON');
    const identifiers = new Map(
      schema.map((d) => [d.name.toLowerCase(), d.columns.map((c) => c.name)] as const),
    );
    entry = { db, specs: tableSpecs(schema), identifiers };
    cache.set(schema, entry);
  }
  return entry;
}

/**
 * Checks a query against the declared tables without running any collector, so the server can
 * reject it before fan-out: syntax, unknown tables and columns, read-only, and required
 * constraints. Throws a VigilError (E_INVALID_SQL or E_QUERY_NOT_READ_ONLY); returns the column names.
 */
export function validateSql(sql: string, schema: readonly TableDeclaration[]): { columns: string[] } {
  assertReadOnlyText(sql);
  const { db, specs, identifiers } = schemaDb(schema);
  const requiredByTable = new Map(
    [...specs].map(([name, spec]) => [name.toLowerCase(), spec.required] as const),
  );
  const analysis = analyzeQuery(
    rewriteUsingJoins(rewriteDoubleQuotedStrings(sql, identifiers), requiredByTable),
    specs,
  );
  const missing = analysis.missingRequired[0];
  if (missing !== undefined) throw new VigilError('E_INVALID_SQL', requiredMessage(specs.get(missing)!));
  let stmt: Database.Statement;
  try {
    stmt = db.prepare(analysis.sql);
  } catch (err) {
    const message = err instanceof Error ? err.message.replaceAll('__eq_', '') : String(err);
    throw new VigilError('E_INVALID_SQL', message, { cause: err });
  }
  assertReadOnlyPrepared(stmt);
  return { columns: stmt.columns().map((c) => c.name) };
}
