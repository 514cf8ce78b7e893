import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  inetAton,
  registerOsqueryFunctions,
  rewriteDoubleQuotedStrings,
  rewriteUsingJoins,
} from './osquery-compat.js';

describe('osquery SQL dialect', () => {
  const ids = new Map([
    ['listening_ports', ['address', 'port']],
    ['processes', ['name', 'root']],
  ]);

  it('turns double-quoted strings into literals but keeps quoted identifiers and aliases', () => {
    expect(
      rewriteDoubleQuotedStrings(`SELECT "port" FROM listening_ports WHERE address != "0.0.0.0"`, ids),
    ).toBe(`SELECT "port" FROM listening_ports WHERE address != '0.0.0.0'`);
    expect(rewriteDoubleQuotedStrings(`SELECT 1 AS "n" ORDER BY "n"`, ids)).toBe(
      `SELECT 1 AS "n" ORDER BY "n"`,
    );
    expect(rewriteDoubleQuotedStrings(`SELECT * FROM x WHERE v = "it's"`, ids)).toBe(
      `SELECT * FROM x WHERE v = 'it''s'`,
    );
    expect(rewriteDoubleQuotedStrings(`SELECT 'a"b'`, ids)).toBe(`SELECT 'a"b'`);
    expect(rewriteDoubleQuotedStrings(`SELECT * FROM listening_ports WHERE address = "root"`, ids)).toBe(
      `SELECT * FROM listening_ports WHERE address = 'root'`,
    );
    expect(rewriteDoubleQuotedStrings(`SELECT "root" FROM processes`, ids)).toBe(
      `SELECT "root" FROM processes`,
    );
  });

  it('turns USING on a required column into an ON equality the engine can pass to the collector', () => {
    const req = new Map([['hash', ['path', 'directory']]]);
    expect(rewriteUsingJoins('select * from kernel_info join hash using (path);', req)).toBe(
      'select * from kernel_info join hash ON "kernel_info"."path" = "hash"."path";',
    );
    expect(rewriteUsingJoins('SELECT * FROM processes p JOIN hash h USING (path)', req)).toBe(
      'SELECT * FROM processes p JOIN hash h ON "p"."path" = "h"."path"',
    );
    expect(rewriteUsingJoins('SELECT * FROM users JOIN groups USING (gid)', req)).toBe(
      'SELECT * FROM users JOIN groups USING (gid)',
    );
  });

  it('offers osquery functions', () => {
    const db = new Database(':memory:');
    registerOsqueryFunctions(db);
    expect(inetAton('10.0.0.1')).toBe(167772161);
    expect(inetAton('nope')).toBeNull();
    const row = db
      .prepare(
        `SELECT inet_aton('192.168.1.1') AS a, regex_match('abc123', '([a-z]+)([0-9]+)', 2) AS r, split('a,b;c', ',;', 2) AS s, sha256('x') AS h, to_base64('hi') AS b`,
      )
      .get();
    expect(row).toEqual({
      a: 3232235777,
      r: '123',
      s: 'c',
      h: '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881',
      b: 'aGk=',
    });
  });
});
