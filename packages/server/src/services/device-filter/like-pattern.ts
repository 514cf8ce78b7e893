/**
 * LIKE patterns: `%` matches any run of characters, `_` one character, and a backslash makes the
 * next `%`, `_` or `\` literal. Patterns are translated per engine because SQLite's LIKE ignores
 * case while PostgreSQL's does not; SQLite gets an equivalent (case-sensitive) GLOB pattern.
 */

/** One piece of a LIKE pattern. */
export type LikePart = { kind: 'any' } | { kind: 'one' } | { kind: 'char'; char: string };

/** Split a LIKE pattern into parts, or return the index of a bad escape. */
export function likeParts(pattern: string): LikePart[] | { badEscapeAt: number } {
  const parts: LikePart[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '%' && next !== '_' && next !== '\\') return { badEscapeAt: i };
      parts.push({ kind: 'char', char: next });
      i++;
    } else if (c === '%') parts.push({ kind: 'any' });
    else if (c === '_') parts.push({ kind: 'one' });
    else parts.push({ kind: 'char', char: c });
  }
  return parts;
}

/** The PostgreSQL LIKE pattern (escape character `\`) for these parts. */
export function toPostgresLike(parts: LikePart[]): string {
  return parts
    .map((p) =>
      p.kind === 'any' ? '%' : p.kind === 'one' ? '_' : /[%_\\]/.test(p.char) ? `\\${p.char}` : p.char,
    )
    .join('');
}

/** The SQLite GLOB pattern for these parts; GLOB's own wildcards become one-character sets. */
export function toSqliteGlob(parts: LikePart[]): string {
  return parts
    .map((p) =>
      p.kind === 'any' ? '*' : p.kind === 'one' ? '?' : /[*?[]/.test(p.char) ? `[${p.char}]` : p.char,
    )
    .join('');
}
