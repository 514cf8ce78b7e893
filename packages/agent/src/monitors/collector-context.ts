/** A table-collector context for the monitors, so they reuse the tables' /proc and /etc parsing. */
import type { Cell, TableContext } from '../tables/types.js';

/** A context on `root`, optionally naming the values a column must have (e.g. only some pids) and the columns needed. */
export function collectorContext(
  root: string,
  equals: Record<string, Cell[]> = {},
  columns?: readonly string[],
  warn: (message: string) => void = () => {},
): TableContext {
  return {
    root,
    warn,
    hints: {
      equals: new Map(Object.entries(equals)),
      like: new Map(),
      ...(columns ? { columns: new Set(columns) } : {}),
    },
    now: () => new Date(),
  };
}
