import type Database from 'better-sqlite3';
import type { TableDeclaration } from '../tables/declarations.js';
import { hiddenParam } from './constraints.js';

/** Produces a table's rows (as arrays in declared column order) for the hidden join values given. */
export type RowSource = (declaration: TableDeclaration, joinValues: unknown[]) => Iterable<unknown[]>;

/**
 * Registers each declared table as an eponymous virtual table. Required columns also get a
 * hidden `__eq_<column>` parameter: SQLite passes it only equality constraints, which is how a
 * join value (`h.path = p.path`) reaches the collector row by row.
 */
export function registerTables(
  db: Database.Database,
  declarations: Iterable<TableDeclaration>,
  source: RowSource,
): void {
  for (const declaration of declarations) {
    const required = declaration.columns.filter((c) => c.required).map((c) => c.name);
    db.table(declaration.name, {
      columns: declaration.columns.map((c) => c.name),
      parameters: required.map(hiddenParam),
      *rows(...joinValues: unknown[]) {
        yield* source(declaration, joinValues);
      },
    });
  }
}
