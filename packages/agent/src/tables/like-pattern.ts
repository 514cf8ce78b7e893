/**
 * Matching SQL LIKE patterns in a collector, to produce only the rows a query can keep. SQLite's
 * LIKE ignores ASCII case, so the match does too: a collector must yield a superset of what
 * SQLite keeps (SQLite filters again), never drop a row SQLite would have matched.
 */

/** A RegExp matching what `LIKE pattern` matches (`%` any run, `_` one character, no ESCAPE). */
export function likeRegExp(pattern: string): RegExp {
  let body = '';
  for (const ch of pattern) {
    if (ch === '%') body += '.*';
    else if (ch === '_') body += '.';
    else body += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${body}$`, 'is');
}

/**
 * A predicate for a column's hints: true when the value equals one of `equals` or matches one of
 * `likes`; with neither given, every value passes (the column is unconstrained).
 */
export function hintMatcher(equals: readonly unknown[] | undefined, likes: readonly string[] | undefined) {
  if (equals === undefined && likes === undefined) return (_value: string) => true;
  const exact = new Set(equals ?? []);
  const patterns = (likes ?? []).map(likeRegExp);
  return (value: string) => exact.has(value) || patterns.some((p) => p.test(value));
}
