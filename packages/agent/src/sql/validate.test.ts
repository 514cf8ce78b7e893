import { VigilError } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { loadDeclarations } from '../tables/declarations.js';
import { validateSql } from './validate.js';

const schema = loadDeclarations();

function code(sql: string): string {
  try {
    validateSql(sql, schema);
    return 'ok';
  } catch (err) {
    if (err instanceof VigilError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

describe('validateSql (server side, no collectors)', () => {
  it('accepts valid read-only queries and returns their columns', () => {
    expect(validateSql('SELECT pid, name FROM processes WHERE pid = 1', schema)).toEqual({
      columns: ['pid', 'name'],
    });
    expect(
      validateSql('SELECT p.pid, h.sha256 FROM processes p JOIN hash h ON h.path = p.path', schema).columns,
    ).toEqual(['pid', 'sha256']);
  });

  it('catches syntax errors, unknown tables and unknown columns', () => {
    expect(code('SELEC 1')).toMatch(/^E_INVALID_SQL: .*syntax error/);
    expect(code('SELECT * FROM osquery_info')).toBe('E_INVALID_SQL: no such table: osquery_info');
    expect(code('SELECT bogus FROM users')).toBe('E_INVALID_SQL: no such column: bogus');
  });

  it('refuses writes and missing required constraints', () => {
    expect(code('DELETE FROM users')).toMatch(/^E_QUERY_NOT_READ_ONLY/);
    expect(code('SELECT 1; SELECT 2')).toMatch(/^E_QUERY_NOT_READ_ONLY/);
    expect(code('SELECT * FROM hash')).toBe('E_INVALID_SQL: hash requires a path or directory constraint');
  });

  it('validates every example in the declarations', () => {
    for (const table of schema)
      for (const example of table.examples) expect([table.name, code(example)]).toEqual([table.name, 'ok']);
  });
});
