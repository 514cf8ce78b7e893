import { VigilError } from '@vigil/protocol/agent-runtime';
import Database from 'better-sqlite3';
import { type AgentInfoProvider, createVigilAgentCollector } from '../tables/collectors/vigil-agent.js';
import type { TableDeclaration } from '../tables/declarations.js';
import { loadDeclarations } from '../tables/declarations.js';
import { allCollectors, buildRegistry, type RegisteredTable } from '../tables/registry.js';
import type { Cell, ConstraintHints, Row, TableCollector, TableContext } from '../tables/types.js';
import { analyzeQuery } from './constraints.js';
import { registerOsqueryFunctions, rewriteDoubleQuotedStrings, rewriteUsingJoins } from './osquery-compat.js';
import { assertReadOnlyPrepared, assertReadOnlyText } from './read-only.js';
import { registerTables } from './register-tables.js';
import { requiredMessage, tableSpecs } from './table-specs.js';

/** Rows a query returns unless told otherwise. */
export const DEFAULT_MAX_ROWS = 100_000;
/** Rows of one table scan kept for replay within a query (see produce); larger scans are re-read. */
const MAX_KEPT_ROWS = 10_000;
/** Warnings kept per query; beyond that only a count is reported. */
const MAX_WARNINGS = 200;

/** How to build a query engine. */
export interface QueryEngineOptions {
  /** Filesystem root the collectors read ("/" on a host, a fixture tree in tests). */
  root?: string;
  /** Collectors to use (default: all Vigil ships). Declarations without a collector are then left out. */
  collectors?: TableCollector[];
  /** Declarations to use (default: definitions/tables/*.yaml). */
  declarations?: TableDeclaration[];
  /** Expose only these tables (default: every declared table). */
  only?: string[];
  /** Facts for the `vigil_agent` table. */
  agentInfo?: AgentInfoProvider;
  /** Clock handed to collectors. */
  now?: () => Date;
}

/** Per-query options. */
export interface RunOptions {
  maxRows?: number;
}

/** A query's answer: column names, rows, and the non-fatal problems met on the way. */
export interface QueryResult {
  columns: string[];
  rows: Row[];
  warnings: string[];
  truncated: boolean;
}

/** A synchronous SQL engine over the live system tables. */
export interface QueryEngine {
  run(sql: string, options?: RunOptions): QueryResult;
  tables(): string[];
  schema(name: string): TableDeclaration | undefined;
  setAgentInfoProvider(provider: AgentInfoProvider): void;
  close(): void;
}

interface QueryState {
  hints: Map<string, ConstraintHints>;
  warnings: string[];
  dropped: number;
  /** Complete scans of tables without join values, replayed when SQLite scans them again. */
  scans: Map<string, unknown[][]>;
}

const EMPTY_HINTS: ConstraintHints = { equals: new Map(), like: new Map() };

/** Converts a collector value to what SQLite should store for a column of the declared type. */
type CellConverter = (value: unknown) => unknown;

const toInteger: CellConverter = (value) => {
  if (value === undefined || value === null) return null;
  // A JS number reaches SQLite as a REAL; a BigInt as an INTEGER, as the declaration says.
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
};
const toText: CellConverter = (value) => {
  if (value === undefined || value === null) return null;
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
};
const asIs: CellConverter = (value) => (value === undefined ? null : value);

function converterFor(type: string): CellConverter {
  if (type === 'INTEGER' || type === 'BIGINT') return toInteger;
  if (type === 'TEXT') return toText;
  return asIs;
}

/** What the row bridge needs per table, worked out once rather than for every row. */
interface RowShape {
  names: string[];
  converters: CellConverter[];
  known: Set<string>;
}

function rowShape(declaration: TableDeclaration): RowShape {
  const names = declaration.columns.map((c) => c.name);
  return { names, converters: declaration.columns.map((c) => converterFor(c.type)), known: new Set(names) };
}

function selectRegistry(options: QueryEngineOptions): Map<string, RegisteredTable> {
  const only = options.only === undefined ? null : new Set(options.only);
  const picked = <T extends { name: string }>(items: T[]) =>
    only === null ? items : items.filter((i) => only.has(i.name));
  const collectors = picked(options.collectors ?? allCollectors());
  let declarations = picked(options.declarations ?? loadDeclarations());
  if (options.collectors !== undefined) {
    const names = new Set(collectors.map((c) => c.name));
    declarations = declarations.filter((d) => names.has(d.name));
  }
  return buildRegistry(declarations, collectors);
}

function sqliteError(err: unknown): VigilError {
  if (err instanceof VigilError) return err;
  if (err instanceof Database.SqliteError) {
    return new VigilError('E_INVALID_SQL', err.message.replaceAll('__eq_', ''), { cause: err });
  }
  return new VigilError('E_INTERNAL', 'the query failed inside the engine', { cause: err });
}

/**
 * Builds an in-memory SQLite database whose tables are the declared system tables, read live
 * by their collectors on every query. Queries are refused unless read-only.
 */
export function createQueryEngine(options: QueryEngineOptions = {}): QueryEngine {
  const root = options.root ?? '/';
  const now = options.now ?? (() => new Date());
  const registry = selectRegistry(options);
  let agentInfo: AgentInfoProvider = options.agentInfo ?? (() => ({}));
  const agentCollector = createVigilAgentCollector(() => agentInfo());
  const declarations = [...registry.values()].map((r) => r.declaration);
  const specs = tableSpecs(declarations);
  const shapes = new Map(declarations.map((d) => [d.name, rowShape(d)] as const));
  let state: QueryState = { hints: new Map(), warnings: [], dropped: 0, scans: new Map() };

  const warn = (message: string) => {
    if (state.warnings.length < MAX_WARNINGS) state.warnings.push(message);
    else state.dropped += 1;
  };

  function* collectCells(declaration: TableDeclaration, joinValues: unknown[]): Generator<unknown[]> {
    const entry = registry.get(declaration.name) as RegisteredTable;
    const collector = declaration.name === 'vigil_agent' ? agentCollector : entry.collector;
    const spec = specs.get(declaration.name);
    const required = spec?.required ?? [];
    let hints = state.hints.get(declaration.name) ?? EMPTY_HINTS;
    const joined = required.flatMap((column, i) =>
      joinValues[i] === undefined ? [] : [[column, [joinValues[i] as Cell]] as [string, Cell[]]],
    );
    if (joined.length > 0) {
      const rest = <T>(m: Map<string, T>) => [...m].filter(([column]) => !required.includes(column));
      const { columns: used } = hints;
      hints = { equals: new Map([...rest(hints.equals), ...joined]), like: new Map(rest(hints.like)) };
      if (used !== undefined) hints.columns = used;
    }
    if (
      spec !== undefined &&
      required.length > 0 &&
      !required.some((c) => hints.equals.has(c) || hints.like.has(c))
    ) {
      throw new VigilError('E_INVALID_SQL', requiredMessage(spec));
    }
    const ctx: TableContext = { root, hints, now, warn: (m) => warn(`${declaration.name}: ${m}`) };
    const { names, converters, known } = shapes.get(declaration.name) as RowShape;
    let iterator: Iterator<Row>;
    try {
      iterator = collector.collect(ctx)[Symbol.iterator]();
    } catch (err) {
      if (err instanceof VigilError) throw err;
      warn(`${declaration.name}: collector failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    for (;;) {
      let step: IteratorResult<Row>;
      try {
        step = iterator.next();
      } catch (err) {
        if (err instanceof VigilError) throw err;
        warn(`${declaration.name}: stopped early: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      if (step.done) return;
      const row = step.value;
      for (const key of Object.keys(row)) {
        if (!known.has(key))
          throw new Error(`collector ${declaration.name} yielded undeclared column ${key}`);
      }
      const cells = new Array<unknown>(names.length);
      for (let i = 0; i < names.length; i++)
        cells[i] = (converters[i] as CellConverter)(row[names[i] as string]);
      yield cells;
    }
  }

  /**
   * A table's rows for SQLite. SQLite rescans the inner table of a join once per outer row (a
   * virtual table has no index to offer), so a full scan is kept for the rest of the query and
   * replayed: `listening_ports JOIN processes` reads /proc once, not once per port, and every
   * scan sees the same snapshot. Scans given join values, scans SQLite abandoned part-way and
   * very large scans are not kept.
   */
  function* produce(declaration: TableDeclaration, joinValues: unknown[]): Generator<unknown[]> {
    const cacheable = joinValues.every((v) => v === undefined);
    const kept = cacheable ? state.scans.get(declaration.name) : undefined;
    if (kept !== undefined) {
      yield* kept;
      return;
    }
    let recording: unknown[][] | null = cacheable ? [] : null;
    for (const cells of collectCells(declaration, joinValues)) {
      if (recording !== null) {
        if (recording.length < MAX_KEPT_ROWS) recording.push(cells);
        else recording = null;
      }
      yield cells;
    }
    if (recording !== null) state.scans.set(declaration.name, recording);
  }

  const db = new Database(':memory:');
  registerTables(db, declarations, produce);
  registerOsqueryFunctions(db);
  const identifiers = new Map(
    declarations.map((d) => [d.name.toLowerCase(), d.columns.map((c) => c.name)] as const),
  );
  const requiredByTable = new Map(
    [...specs].map(([name, spec]) => [name.toLowerCase(), spec.required] as const),
  );
  db.pragma('trusted_schema = OFF');
  db.pragma('query_only = ON');

  return {
    run(sql, runOptions = {}) {
      const maxRows = runOptions.maxRows ?? DEFAULT_MAX_ROWS;
      assertReadOnlyText(sql);
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
        throw sqliteError(err);
      }
      assertReadOnlyPrepared(stmt);
      state = { hints: analysis.hints, warnings: [], dropped: 0, scans: new Map() };
      const rows: Row[] = [];
      let truncated = false;
      const names = stmt.columns().map((c) => c.name);
      try {
        // Rows come back as arrays and become objects here: cheaper than better-sqlite3 building
        // each object natively, with the same result (later duplicate names win, as there).
        // Copying a template that already has every key keeps the rows in V8's fast object
        // shape; adding some 40 keys one by one to {} would turn each into a slow dictionary.
        const keys: Row = {};
        for (const name of names) keys[name] = null;
        const shape: Row = { ...keys }; // the copy is in fast mode even where `keys` is not
        const iterator = stmt.raw(true).iterate() as IterableIterator<Cell[]>;
        for (const values of iterator) {
          if (rows.length >= maxRows) {
            truncated = true;
            break;
          }
          const row: Row = { ...shape };
          for (let i = 0; i < names.length; i++) row[names[i] as string] = values[i] as Cell;
          rows.push(row);
        }
      } catch (err) {
        throw sqliteError(err);
      }
      const warnings = [...state.warnings];
      if (state.dropped > 0) warnings.push(`${state.dropped} more warnings were dropped`);
      if (truncated) warnings.push(`the result was truncated to the row limit of ${maxRows} rows`);
      return { columns: names, rows, warnings, truncated };
    },
    tables: () => [...registry.keys()].sort(),
    schema: (name) => registry.get(name)?.declaration,
    setAgentInfoProvider(provider) {
      agentInfo = provider;
    },
    close: () => db.close(),
  };
}
