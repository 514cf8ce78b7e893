import { fileURLToPath } from 'node:url';
import type { Cell, ConstraintHints, Row, TableCollector, TableContext } from './types.js';

/** Hints given as plain objects, for brevity in tests. */
export interface TestHints {
  equals?: Record<string, Cell[]>;
  like?: Record<string, string[]>;
  /** The columns the query reads (default: all). */
  columns?: string[];
}

/** Builds a collector context on a fixture root and collects its warnings, for tests. */
export function testContext(
  root: string,
  hints: TestHints = {},
  now: Date = new Date(),
): { ctx: TableContext; warnings: string[] } {
  const warnings: string[] = [];
  const constraintHints: ConstraintHints = {
    equals: new Map(Object.entries(hints.equals ?? {})),
    like: new Map(Object.entries(hints.like ?? {})),
  };
  if (hints.columns !== undefined) constraintHints.columns = new Set(hints.columns);
  const ctx: TableContext = {
    root,
    warn: (message) => warnings.push(message),
    hints: constraintHints,
    now: () => now,
  };
  return { ctx, warnings };
}

/** The fixture root of a table: `tables/fixtures/<table>`. */
export function fixtureRoot(table: string): string {
  return fileURLToPath(new URL(`./fixtures/${table}`, import.meta.url));
}

/** Runs a collector on a root and returns its rows and warnings, for tests. */
export function collectAll(
  collector: TableCollector,
  root: string,
  hints: TestHints = {},
): { rows: Row[]; warnings: string[] } {
  const { ctx, warnings } = testContext(root, hints);
  return { rows: [...collector.collect(ctx)], warnings };
}

/** Keeps only the named columns of each row, for comparing the columns that matter. */
export function pick(rows: Row[], columns: string[]): Row[] {
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
}
