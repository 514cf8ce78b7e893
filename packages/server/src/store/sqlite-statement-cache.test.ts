import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './sqlite-statement-cache.js';

describe('SQLite statement cache', () => {
  const open: SqliteDatabase.Database[] = [];
  afterEach(() => {
    for (const d of open.splice(0)) if (d.open) d.close();
  });

  function counted(max?: number) {
    const raw = new SqliteDatabase(':memory:');
    open.push(raw);
    let prepared = 0;
    const original = raw.prepare.bind(raw);
    raw.prepare = ((text: string) => {
      prepared += 1;
      return original(text);
    }) as typeof raw.prepare;
    return { raw, db: withStatementCache(raw, max), prepared: () => prepared };
  }

  it('prepares a repeated statement once and keeps its results right', () => {
    const { raw, db, prepared } = counted();
    raw.exec('CREATE TABLE t (n INTEGER)');
    for (let i = 0; i < 5; i++) db.prepare('INSERT INTO t VALUES (?)').run([i]);
    expect(prepared()).toBe(1);
    expect(db.prepare('SELECT sum(n) AS s FROM t').all([])).toEqual([{ s: 10 }]);
    expect(db.prepare('SELECT sum(n) AS s FROM t').all([])).toEqual([{ s: 10 }]);
    expect(prepared()).toBe(2);
  });

  it('keeps at most `max` statements, dropping the least recently used', () => {
    const { db, prepared } = counted(2);
    db.prepare('SELECT 1').all([]);
    db.prepare('SELECT 2').all([]);
    db.prepare('SELECT 1').all([]); // hit: SELECT 2 is now the oldest
    db.prepare('SELECT 3').all([]); // evicts SELECT 2
    expect(prepared()).toBe(3);
    db.prepare('SELECT 1').all([]);
    expect(prepared()).toBe(3);
    db.prepare('SELECT 2').all([]);
    expect(prepared()).toBe(4);
  });

  it('prepares a fresh statement while the cached one is still being iterated', () => {
    const { raw, db } = counted();
    raw.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2)');
    const outer = db.prepare('SELECT n FROM t ORDER BY n').iterate([]);
    const first = outer.next();
    const inner = db.prepare('SELECT n FROM t ORDER BY n').all([]);
    expect(first.value).toEqual({ n: 1 });
    expect(inner).toEqual([{ n: 1 }, { n: 2 }]);
    expect([...outer]).toEqual([{ n: 2 }]);
  });

  it('serves Kysely, transactions included', async () => {
    const { raw, db } = counted();
    const k = new Kysely<{ t: { n: number } }>({ dialect: new SqliteDialect({ database: db }) });
    await sql`CREATE TABLE t (n INTEGER)`.execute(k);
    await k.transaction().execute(async (trx) => {
      for (let i = 1; i <= 3; i++) await trx.insertInto('t').values({ n: i }).execute();
    });
    await expect(
      k.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ n: 100 }).execute();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const rows = await k.selectFrom('t').select('n').orderBy('n').execute();
    expect(rows.map((r) => r.n)).toEqual([1, 2, 3]);
    await k.destroy();
    expect(raw.open).toBe(false);
  });
});
