/**
 * Kysely's SQLite driver prepares every statement it runs; preparing costs more than running
 * most of our small, repeated queries (it was a third of the server's store time under a fleet
 * fan-out). This hands Kysely a database whose `prepare` reuses statements by SQL text, most
 * recently used first, with a bound. A statement still being iterated (a streamed select) is
 * busy and cannot be reused, so a fresh one is prepared for that call.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export function withStatementCache(database: BetterSqlite3.Database, max = 1000): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        // Map keeps insertion order: re-inserting marks it the most recently used.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = database.prepare(sql);
      if (!hit) {
        cache.set(sql, statement);
        if (cache.size > max) cache.delete(cache.keys().next().value as string);
      }
      return statement;
    },
  };
}
