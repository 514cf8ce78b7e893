import { afterAll, describe, expect, it } from 'vitest';
import type { TableCollector } from '../tables/types.js';
import { createQueryEngine } from './engine.js';

const scans = new Map<string, number>();
const seen: Array<ReadonlySet<string> | undefined> = [];
const users: TableCollector = {
  name: 'users',
  *collect(ctx) {
    scans.set('users', (scans.get('users') ?? 0) + 1);
    seen.push(ctx.hints.columns);
    for (let uid = 0; uid < 5; uid++) yield { uid, gid: uid % 2, username: `u${uid}` };
  },
};
const groups: TableCollector = {
  name: 'groups',
  *collect() {
    scans.set('groups', (scans.get('groups') ?? 0) + 1);
    for (let gid = 0; gid < 2; gid++) yield { gid, groupname: `g${gid}` };
  },
};
const engine = createQueryEngine({ collectors: [users, groups] });
afterAll(() => engine.close());

describe('query engine: table scans', () => {
  it('reads each table once per query, however often a join rescans it', () => {
    scans.clear();
    const { rows } = engine.run(
      'SELECT u.username, g.groupname FROM groups g JOIN users u ON u.gid = g.gid ORDER BY u.uid',
    );
    expect(rows.map((r) => `${r.username}:${r.groupname}`)).toEqual([
      'u0:g0',
      'u1:g1',
      'u2:g0',
      'u3:g1',
      'u4:g0',
    ]);
    expect(Object.fromEntries(scans)).toEqual({ users: 1, groups: 1 });
  });

  it('reads the tables again for the next query', () => {
    scans.clear();
    engine.run('SELECT count(*) FROM users');
    engine.run('SELECT count(*) FROM users');
    expect(scans.get('users')).toBe(2);
  });

  it('does not keep a scan SQLite stopped part-way', () => {
    const { rows } = engine.run(
      'SELECT (SELECT username FROM users LIMIT 1) AS first, (SELECT count(*) FROM users) AS n',
    );
    expect(rows).toEqual([{ first: 'u0', n: 5 }]);
  });

  it('tells the collector which columns the query reads', () => {
    seen.length = 0;
    engine.run('SELECT username FROM users WHERE uid > 1');
    engine.run('SELECT * FROM users');
    engine.run('SELECT count(*) AS n FROM users');
    expect(seen.map((s) => (s === undefined ? '*' : [...s].sort()))).toEqual([['uid', 'username'], '*', []]);
  });
});
