import { describe, expect, it } from 'vitest';
import { analyzeQuery, type TableSpec } from './constraints.js';

const specs = new Map<string, TableSpec>([
  [
    'file',
    {
      name: 'file',
      columns: ['path', 'directory', 'size'],
      required: ['path', 'directory'],
      index: ['path', 'directory'],
    },
  ],
  [
    'hash',
    {
      name: 'hash',
      columns: ['path', 'directory', 'sha256'],
      required: ['path', 'directory'],
      index: ['path', 'directory'],
    },
  ],
  ['processes', { name: 'processes', columns: ['pid', 'name', 'path'], required: [], index: ['pid'] }],
]);

const hintsOf = (sql: string, table: string) => {
  const h = analyzeQuery(sql, specs).hints.get(table);
  return { equals: Object.fromEntries(h?.equals ?? []), like: Object.fromEntries(h?.like ?? []) };
};

describe('analyzeQuery', () => {
  it('collects literal equality, IN and LIKE constraints on required columns', () => {
    expect(
      hintsOf(
        "SELECT * FROM file WHERE path = '/a' OR path IN ('/b', '/c') OR directory LIKE '/d/%'",
        'file',
      ),
    ).toEqual({
      equals: { path: ['/a', '/b', '/c'] },
      like: { directory: ['/d/%'] },
    });
  });

  it('ignores negated, escaped and compound constraints', () => {
    const a = analyzeQuery("SELECT * FROM file WHERE path NOT LIKE '/a/%' AND path != '/b'", specs);
    expect(a.missingRequired).toEqual(['file']);
    expect(
      analyzeQuery("SELECT * FROM file WHERE path = '/etc/' || 'passwd'", specs).missingRequired,
    ).toEqual(['file']);
    expect(
      analyzeQuery("SELECT * FROM file WHERE path LIKE '/a\\_%' ESCAPE '\\'", specs).missingRequired,
    ).toEqual(['file']);
  });

  it('resolves aliases and does not mix up two tables with the same column', () => {
    expect(
      hintsOf("SELECT * FROM file f JOIN hash h ON h.path = f.path WHERE f.directory = '/etc'", 'file'),
    ).toEqual({
      equals: { directory: ['/etc'] },
      like: {},
    });
    expect(
      hintsOf("SELECT * FROM file f JOIN hash h ON h.path = f.path WHERE f.directory = '/etc'", 'hash'),
    ).toEqual({
      equals: {},
      like: {},
    });
  });

  it('adds a hidden-column equality for a join on a required column', () => {
    const a = analyzeQuery('SELECT * FROM processes p JOIN hash h ON h.path = p.path', specs);
    expect(a.missingRequired).toEqual([]);
    expect(a.sql).toBe(
      'SELECT * FROM processes p JOIN hash h ON (h.path = p.path AND "h"."__eq_path" = p.path)',
    );
  });

  it('adds a hidden-column IN for a subquery on a required column', () => {
    const a = analyzeQuery(
      'SELECT sha256 FROM hash WHERE path IN (SELECT path FROM processes WHERE pid = 1)',
      specs,
    );
    expect(a.missingRequired).toEqual([]);
    expect(a.sql).toBe(
      'SELECT sha256 FROM hash WHERE (path IN (SELECT path FROM processes WHERE pid = 1) AND "hash"."__eq_path" IN (SELECT path FROM processes WHERE pid = 1))',
    );
  });

  it('uses index hints only when every reference is a plain AND conjunct', () => {
    expect(hintsOf('SELECT * FROM processes WHERE pid = 1 AND name = 1', 'processes').equals).toEqual({
      pid: [1],
    });
    expect(hintsOf("SELECT * FROM processes WHERE pid = 1 OR name = 'x'", 'processes').equals).toEqual({});
    expect(hintsOf('SELECT * FROM processes WHERE NOT pid = 1', 'processes').equals).toEqual({});
    expect(hintsOf('SELECT pid = 1 AS init FROM processes', 'processes').equals).toEqual({});
    expect(hintsOf('SELECT * FROM processes a, processes b WHERE a.pid = 1', 'processes').equals).toEqual({});
    expect(
      hintsOf('SELECT * FROM processes WHERE pid = 1 UNION SELECT * FROM processes', 'processes').equals,
    ).toEqual({});
    expect(hintsOf('SELECT * FROM processes WHERE pid = -5', 'processes').equals).toEqual({ pid: [-5] });
  });

  it('does not read string contents or comments as SQL', () => {
    const a = analyzeQuery("SELECT 'FROM file' AS x -- FROM file\n", specs);
    expect(a.missingRequired).toEqual([]);
  });
});
