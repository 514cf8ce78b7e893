/** A cell value as SQLite stores it. */
export type Cell = string | number | bigint | null;
/** One row: column name → value. Columns a collector omits are NULL. */
export type Row = Record<string, Cell>;
/** Equality / LIKE hints for required or index columns, taken from the query. */
export interface ConstraintHints {
  equals: Map<string, Cell[]>;
  like: Map<string, string[]>;
  /**
   * The columns the query reads (osquery's "column usage"); undefined means all of them. A
   * collector may leave any other column out (it is NULL), so it can skip the reads that only
   * those columns need. It must still yield the same rows.
   */
  columns?: ReadonlySet<string>;
}
/** What every collector receives. */
export interface TableContext {
  /** Filesystem root: "/" on a real host, a fixture directory in tests. All reads go through it. */
  root: string;
  /** Record a non-fatal problem (an unreadable /proc/<pid>); it is returned beside the rows. */
  warn(message: string): void;
  /** Constraints on this table's columns found in the query (for required/index columns). */
  hints: ConstraintHints;
  /** Clock, injectable for tests. */
  now(): Date;
}
/** A table implementation: synchronous (better-sqlite3 virtual tables are synchronous). */
export interface TableCollector {
  name: string;
  collect(ctx: TableContext): Iterable<Row>;
}
