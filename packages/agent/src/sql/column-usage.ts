import type { TableSpec } from './constraints.js';
import { isKeyword, isOp, type Token } from './tokenize.js';

/** Whether a `*` is the argument of an aggregate such as count(*), not a column list. */
function isAggregateStar(tokens: Token[], i: number): boolean {
  return isOp(tokens[i - 1], '(') && isOp(tokens[i + 1], ')');
}

/**
 * Per declared table, the columns a query may read (osquery's "column usage"), so collectors
 * can skip what nobody asked for. It errs towards "more": every identifier spelled like one of
 * the table's columns counts wherever it stands, and a `*` (other than count(*)) or a NATURAL
 * join — both of which read columns the text does not name — means all columns. A table that
 * maps to undefined is read in full.
 */
export function columnUsage(
  tokens: Token[],
  specs: Map<string, TableSpec>,
): Map<string, ReadonlySet<string> | undefined> {
  const usage = new Map<string, ReadonlySet<string> | undefined>();
  const everything = tokens.some(
    (t, i) => (isOp(t, '*') && !isAggregateStar(tokens, i)) || isKeyword(t, 'NATURAL'),
  );
  const named = new Set(tokens.filter((t) => t.kind === 'ident').map((t) => t.value.toLowerCase()));
  for (const spec of specs.values()) {
    if (!named.has(spec.name.toLowerCase())) continue;
    usage.set(spec.name, everything ? undefined : new Set(spec.columns.filter((c) => named.has(c))));
  }
  return usage;
}
