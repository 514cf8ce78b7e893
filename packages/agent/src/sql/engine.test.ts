import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { VigilError } from '@vigil/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { coreCollectors } from '../tables/collectors/index-core.js';
import { loadDeclarations } from '../tables/declarations.js';
import { fixtureRoot } from '../tables/test-context.js';
import type { TableCollector } from '../tables/types.js';
import { createQueryEngine } from './engine.js';

function failure(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VigilError) return err;
    throw err;
  }
  throw new Error('expected a VigilError');
}

const host = createQueryEngine({ collectors: coreCollectors });
afterAll(() => host.close());

describe('query engine: read-only and safe', () => {
  it.each([
    ['INSERT INTO users (uid) VALUES (1)'],
    ["UPDATE users SET username = 'x'"],
    ['DELETE FROM users'],
    ['CREATE TABLE t (x)'],
    ['DROP TABLE users'],
    ["ATTACH DATABASE '/tmp/x.db' AS x"],
    ['DETACH DATABASE main'],
    ['PRAGMA query_only = OFF'],
    ['PRAGMA writable_schema = 1'],
    ['VACUUM'],
    ['SELECT 1; DROP TABLE users'],
    ['SELECT 1; SELECT 2'],
    ["SELECT load_extension('/tmp/evil.so')"],
    ['WITH x AS (SELECT 1) DELETE FROM users'],
    ['  -- comment first\n  insert into users (uid) values (1)'],
  ])('refuses %s with E_QUERY_NOT_READ_ONLY', (sql) => {
    expect(failure(() => host.run(sql)).code).toBe('E_QUERY_NOT_READ_ONLY');
  });

  it('accepts a trailing semicolon and comments', () => {
    expect(host.run('SELECT 1 AS one; -- done').rows).toEqual([{ one: 1 }]);
  });

  it('reports syntax errors and unknown tables or columns with SQLite message as E_INVALID_SQL', () => {
    const syntax = failure(() => host.run('SELEC 1'));
    expect(syntax.code).toBe('E_INVALID_SQL');
    expect(syntax.message).toMatch(/syntax error/);
    expect(failure(() => host.run('SELECT * FROM no_such_table')).message).toMatch(
      /no such table: no_such_table/,
    );
    expect(failure(() => host.run('SELECT no_such_column FROM users')).message).toMatch(/no such column/);
    expect(failure(() => host.run('')).code).toBe('E_INVALID_SQL');
  });
});

describe('query engine: required constraints', () => {
  it.each([
    ['SELECT * FROM file', 'file requires a path or directory constraint'],
    ['SELECT * FROM hash', 'hash requires a path or directory constraint'],
    ["SELECT * FROM file_lines WHERE line = 'x'", 'file_lines requires a path constraint'],
    ["SELECT * FROM file_content_scan WHERE pattern = 'x'", 'file_content_scan requires a path constraint'],
    ["SELECT * FROM file WHERE path NOT LIKE '/etc/%'", 'file requires a path or directory constraint'],
    [
      "SELECT * FROM file a, file b WHERE a.path = '/etc/passwd'",
      'file requires a path or directory constraint',
    ],
  ])('%s fails', (sql, message) => {
    const err = failure(() => host.run(sql));
    expect(err.code).toBe('E_INVALID_SQL');
    expect(err.message).toBe(message);
  });

  it('explains a missing pattern for the content scan', () => {
    const err = failure(() => host.run("SELECT * FROM file_content_scan WHERE path = '/etc/passwd'"));
    expect(err.message).toMatch(/requires a pattern constraint/);
  });
});

describe('query engine on a fixture root', () => {
  const engine = createQueryEngine({ root: fixtureRoot('file'), collectors: coreCollectors });
  afterAll(() => engine.close());
  const paths = (sql: string) => engine.run(sql).rows.map((r) => r.path);

  it("lists one level for path LIKE '/etc/%' and for directory = '/etc'", () => {
    const expected = ['/etc/app.conf', '/etc/link.conf', '/etc/sub'];
    expect(paths("SELECT path FROM file WHERE path LIKE '/etc/%' ORDER BY path")).toEqual(expected);
    expect(paths("SELECT path FROM file WHERE directory = '/etc' ORDER BY path")).toEqual(expected);
  });

  it('walks recursively for %% and still applies the rest of the WHERE', () => {
    expect(
      paths("SELECT path FROM file WHERE path LIKE '/etc/%%' AND type = 'regular' ORDER BY path"),
    ).toEqual(['/etc/app.conf', '/etc/sub/b.conf', '/etc/sub/deeper/c.conf']);
  });

  it('takes IN lists, aliases and literal-first equality as constraints', () => {
    expect(
      paths("SELECT f.path FROM file AS f WHERE f.path IN ('/etc/app.conf', '/etc/sub/b.conf') ORDER BY 1"),
    ).toEqual(['/etc/app.conf', '/etc/sub/b.conf']);
    expect(paths("SELECT path FROM file WHERE '/etc/app.conf' = path")).toEqual(['/etc/app.conf']);
  });

  it('hashes the files a file query finds, through a join on the hidden path parameter', () => {
    const { rows } = engine.run(
      "SELECT f.path, h.sha256 FROM file f JOIN hash h ON h.path = f.path WHERE f.directory = '/etc/sub' AND f.type = 'regular'",
    );
    expect(rows).toEqual([
      { path: '/etc/sub/b.conf', sha256: createHash('sha256').update('b=2\n').digest('hex') },
    ]);
  });

  it('runs aggregates, CTEs and functions over tables', () => {
    const { rows } = engine.run(
      "WITH f AS (SELECT * FROM file WHERE path LIKE '/etc/%%' AND type = 'regular') SELECT count(*) AS n, sum(size) AS bytes, group_concat(filename, '|') AS names FROM f",
    );
    expect(rows).toEqual([{ n: 3, bytes: 12, names: 'app.conf|b.conf|c.conf' }]);
  });

  it('gives integer columns integer type and keeps unset columns NULL', () => {
    const { rows } = engine.run(
      "SELECT typeof(size) AS t, typeof(mode) AS m, attributes, pid_with_namespace FROM file WHERE path = '/etc/app.conf'",
    );
    expect(rows).toEqual([{ t: 'integer', m: 'text', attributes: '', pid_with_namespace: null }]);
  });
});

describe('query engine: limits and warnings', () => {
  const counting: TableCollector = {
    name: 'users',
    *collect(ctx) {
      ctx.warn('first problem');
      for (let uid = 0; uid < 50; uid++) yield { uid, username: `u${uid}` };
      ctx.warn('second problem');
    },
  };
  const broken: TableCollector = {
    name: 'groups',
    *collect(ctx) {
      yield { gid: 1, groupname: 'one' };
      ctx.warn('about to fail');
      throw new Error('disk on fire');
    },
  };
  const engine = createQueryEngine({ collectors: [counting, broken] });
  afterAll(() => engine.close());

  it('truncates to the row limit with a warning', () => {
    const result = engine.run('SELECT uid FROM users', { maxRows: 10 });
    expect(result.rows).toHaveLength(10);
    expect(result.truncated).toBe(true);
    expect(result.warnings).toContain('the result was truncated to the row limit of 10 rows');
  });

  it('returns collector warnings beside the rows', () => {
    const result = engine.run('SELECT count(*) AS n FROM users');
    expect(result.rows).toEqual([{ n: 50 }]);
    expect(result.warnings).toEqual(['users: first problem', 'users: second problem']);
    expect(result.truncated).toBe(false);
    expect(result.columns).toEqual(['n']);
  });

  it('keeps the rows a failing collector produced and turns its failure into a warning', () => {
    const result = engine.run('SELECT gid, groupname FROM groups');
    expect(result.rows).toEqual([{ gid: 1, groupname: 'one' }]);
    expect(result.warnings).toEqual(['groups: about to fail', 'groups: stopped early: disk on fire']);
  });

  it('lists its tables and their schema', () => {
    expect(engine.tables()).toEqual(['groups', 'users']);
    expect(engine.schema('users')?.columns.map((c) => c.name)).toContain('uid_signed');
    expect(engine.schema('processes')).toBeUndefined();
  });

  it('fails loudly when a collector yields an undeclared column', () => {
    const bad: TableCollector = {
      name: 'users',
      *collect() {
        yield { uid: 1, password: 'x' };
      },
    };
    const e = createQueryEngine({ collectors: [bad] });
    expect(failure(() => e.run('SELECT * FROM users')).code).toBe('E_INTERNAL');
    e.close();
  });
});

describe('query engine: vigil_agent', () => {
  it('reports what the injected provider says', () => {
    const engine = createQueryEngine({
      collectors: coreCollectors,
      agentInfo: () => ({ id: 'a1', mode: 'live' }),
    });
    expect(engine.run('SELECT id, mode, outbox_depth FROM vigil_agent').rows).toEqual([
      { id: 'a1', mode: 'live', outbox_depth: 0 },
    ]);
    engine.setAgentInfoProvider(() => ({ id: 'a2', outbox_depth: 3 }));
    expect(engine.run('SELECT id, mode, outbox_depth FROM vigil_agent').rows).toEqual([
      { id: 'a2', mode: 'local', outbox_depth: 3 },
    ]);
    engine.close();
  });
});

describe('query engine: joins on the real machine', () => {
  it('joins processes with hash on the binary path', () => {
    const { rows } = host.run(
      `SELECT p.pid, p.path, h.sha256 FROM processes p JOIN hash h ON h.path = p.path WHERE p.pid = ${process.pid}`,
    );
    expect(rows).toHaveLength(1);
    const binary = readFileSync(String(rows[0]?.path));
    expect(rows[0]?.sha256).toBe(createHash('sha256').update(binary).digest('hex'));
  });

  it('hashes the paths a subquery selects (path IN (SELECT …))', () => {
    const { rows } = host.run(
      `SELECT path, sha256 FROM hash WHERE path IN (SELECT path FROM processes WHERE pid = ${process.pid})`,
    );
    expect(rows).toEqual([
      {
        path: expect.any(String),
        sha256: createHash('sha256')
          .update(readFileSync(String(rows[0]?.path)))
          .digest('hex'),
      },
    ]);
  });

  it('declares every table it serves', () => {
    const declared = new Set(loadDeclarations().map((d) => d.name));
    for (const t of host.tables()) expect(declared.has(t)).toBe(true);
  });
});
