import type { TableContext } from './types.js';

/**
 * Whether the query reads at least one of these columns of the collector's table, so the
 * collector can skip a source that only unread columns need. True when the engine did not say.
 */
export function usesAny(ctx: TableContext, ...columns: string[]): boolean {
  const used = ctx.hints.columns;
  return used === undefined || columns.some((c) => used.has(c));
}
