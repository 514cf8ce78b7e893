/**
 * Table and column completion for the SQL editor, from the table declarations. Pure functions of
 * the text and the caret, so the editor stays a thin view.
 */
import type { TableSchema } from '../../api/types.js';

/** One suggestion: what to show and what replaces the word at the caret. */
export interface Suggestion {
  label: string;
  kind: 'table' | 'column';
  detail: string;
}

/** The word being typed at the caret: where it starts, and its qualifier (`p.` in `p.na`). */
export interface WordAtCaret {
  start: number;
  prefix: string;
  qualifier: string | null;
  /** The SQL keyword before the word, upper-cased (FROM, JOIN, SELECT…), if any. */
  previous: string | null;
}

/** Find the word at the caret. */
export function wordAt(sql: string, caret: number): WordAtCaret {
  let i = caret;
  while (i > 0 && /[A-Za-z0-9_.]/.test(sql[i - 1] as string)) i--;
  const word = sql.slice(i, caret);
  const dot = word.lastIndexOf('.');
  const before = sql.slice(0, i).match(/([A-Za-z_]+)\s*$/);
  return {
    start: dot < 0 ? i : i + dot + 1,
    prefix: dot < 0 ? word : word.slice(dot + 1),
    qualifier: dot < 0 ? null : word.slice(0, dot),
    previous: before ? (before[1] as string).toUpperCase() : null,
  };
}

/** Tables named after FROM or JOIN, with their aliases: alias (or name) → table name. */
export function referencedTables(sql: string, known: Set<string>): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_]*))?/gi;
  const keywords = new Set([
    'WHERE',
    'JOIN',
    'LEFT',
    'INNER',
    'CROSS',
    'ON',
    'USING',
    'GROUP',
    'ORDER',
    'LIMIT',
  ]);
  for (const m of sql.matchAll(re)) {
    const table = (m[1] as string).toLowerCase();
    if (!known.has(table)) continue;
    out.set(table, table);
    const alias = m[2];
    if (alias && !keywords.has(alias.toUpperCase())) out.set(alias.toLowerCase(), table);
  }
  return out;
}

/** Suggestions for the caret position, best first, at most `max`. */
export function suggest(schema: TableSchema, sql: string, caret: number, max = 12): Suggestion[] {
  const w = wordAt(sql, caret);
  const prefix = w.prefix.toLowerCase();
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  const tableSuggestions = (): Suggestion[] =>
    schema.tables
      .filter((t) => t.name.startsWith(prefix))
      .map((t) => ({ label: t.name, kind: 'table' as const, detail: t.description }));
  const columnsOf = (table: string): Suggestion[] =>
    (byName.get(table)?.columns ?? [])
      .filter((c) => c.name.startsWith(prefix))
      .map((c) => ({
        label: c.name,
        kind: 'column' as const,
        detail: `${table}.${c.name} ${c.type}${c.required ? ' (required in WHERE)' : ''}`,
      }));

  if (w.qualifier !== null) {
    const table = referencedTables(sql, new Set(byName.keys())).get(w.qualifier.toLowerCase());
    return table ? columnsOf(table).slice(0, max) : [];
  }
  if (w.previous === 'FROM' || w.previous === 'JOIN') return tableSuggestions().slice(0, max);
  if (prefix.length === 0) return [];
  const used = [...new Set(referencedTables(sql, new Set(byName.keys())).values())];
  const columns = used.flatMap(columnsOf);
  const seen = new Set<string>();
  const unique = columns.filter((c) => !seen.has(c.label) && seen.add(c.label));
  return [...unique, ...tableSuggestions()].slice(0, max);
}

/** The text after accepting a suggestion, and the new caret. */
export function accept(sql: string, caret: number, s: Suggestion): { sql: string; caret: number } {
  const w = wordAt(sql, caret);
  const next = sql.slice(0, w.start) + s.label + sql.slice(caret);
  return { sql: next, caret: w.start + s.label.length };
}
