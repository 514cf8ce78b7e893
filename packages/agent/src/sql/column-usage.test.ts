import { describe, expect, it } from 'vitest';
import { columnUsage } from './column-usage.js';
import type { TableSpec } from './constraints.js';
import { tokenize } from './tokenize.js';

const spec = (name: string, columns: string[]): TableSpec => ({ name, columns, required: [], index: [] });
const specs = new Map<string, TableSpec>([
  ['processes', spec('processes', ['pid', 'name', 'path', 'cmdline', 'parent'])],
  ['listening_ports', spec('listening_ports', ['pid', 'port', 'address', 'path'])],
  ['users', spec('users', ['uid', 'username'])],
]);

const usage = (sql: string) => {
  const result = columnUsage(tokenize(sql), specs);
  return Object.fromEntries(
    [...result].map(([table, used]) => [table, used === undefined ? '*' : [...used].sort()]),
  );
};

describe('columnUsage', () => {
  it('lists the columns a query names, for the tables it names', () => {
    expect(usage('SELECT pid, name FROM processes WHERE parent = 1')).toEqual({
      processes: ['name', 'parent', 'pid'],
    });
  });

  it('counts a name wherever it stands and for every table that has it', () => {
    expect(
      usage('SELECT l.port, p.name FROM listening_ports l JOIN processes p USING (pid) ORDER BY "path"'),
    ).toEqual({ listening_ports: ['path', 'pid', 'port'], processes: ['name', 'path', 'pid'] });
  });

  it('means every column for SELECT *, alias.* and NATURAL joins', () => {
    expect(usage('SELECT * FROM processes')).toEqual({ processes: '*' });
    expect(usage('SELECT p.* FROM processes p JOIN users u ON u.uid = 0')).toEqual({
      processes: '*',
      users: '*',
    });
    expect(usage('SELECT port FROM processes NATURAL JOIN listening_ports')).toEqual({
      processes: '*',
      listening_ports: '*',
    });
  });

  it('does not take count(*) for all columns', () => {
    expect(usage('SELECT count(*) AS n FROM processes')).toEqual({ processes: [] });
  });

  it('leaves out tables the query does not name', () => {
    expect(usage('SELECT 1')).toEqual({});
  });
});
