import { describe, expect, it } from 'vitest';
import { type LikePart, likeParts, toPostgresLike, toSqliteGlob } from './like-pattern.js';

function valid(pattern: string): LikePart[] {
  const parts = likeParts(pattern);
  if (!Array.isArray(parts)) throw new Error(`'${pattern}' was rejected`);
  return parts;
}

describe('LIKE patterns', () => {
  it('splits wildcards, escapes and literal characters', () => {
    expect(likeParts('a%_\\%\\_\\\\')).toEqual([
      { kind: 'char', char: 'a' },
      { kind: 'any' },
      { kind: 'one' },
      { kind: 'char', char: '%' },
      { kind: 'char', char: '_' },
      { kind: 'char', char: '\\' },
    ]);
  });

  it('reports where a bad escape is', () => {
    expect(likeParts('ab\\c')).toEqual({ badEscapeAt: 2 });
    expect(likeParts('ab\\')).toEqual({ badEscapeAt: 2 });
  });

  it('writes PostgreSQL LIKE with backslash escapes', () => {
    const parts = valid('web-%\\_x\\\\_');
    expect(toPostgresLike(parts)).toBe('web-%\\_x\\\\_');
  });

  it('writes SQLite GLOB with its own wildcards made literal', () => {
    const parts = valid('a*?[]%_\\%');
    expect(toSqliteGlob(parts)).toBe('a[*][?][[]]*?%');
  });
});
