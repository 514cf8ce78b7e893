/**
 * Opening the store: one Kysely code path over SQLite (embedded default) or PostgreSQL
 * (scale-out), chosen by a `sqlite:PATH` or `postgres://…` URL. Migrations run at open.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { VigilError } from '@vigil/protocol';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { withStatementCache } from './sqlite-statement-cache.js';

/** An open store: the typed query builder and which engine is behind it. */
export interface Store {
  db: Kysely<Database>;
  kind: 'sqlite' | 'postgres';
  /** Whether the store answers a trivial query (used by /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Options for opening a store. */
export interface OpenStoreOptions {
  /** `sqlite:/path/to/file.db`, `sqlite::memory:` or `postgres://…`. */
  url: string;
  /** PostgreSQL only: the schema to use (tests isolate themselves in their own schema). */
  pgSchema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

function openSqlite(path: string): Kysely<Database> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  // WAL lets readers proceed while one writer commits; NORMAL sync is durable across process
  // crashes in WAL mode, which is what "never lose a result" needs from the server side.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

function openPostgres(url: string, schema: string | undefined, poolSize: number): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Apply every pending migration; a failure names the migration and stops the start. On
 * PostgreSQL the migration tables live in the current schema, named explicitly: left unnamed,
 * Kysely looks for them in every schema of the database and, finding another schema's, skips
 * creating its own (then fails with 42P01).
 */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'vigil_migrations',
    migrationLockTableName: 'vigil_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Before running anything, Kysely's migrator introspects the tables of every schema; a table that
  // another schema drops meanwhile (the tests create and drop a schema each, concurrently) fails
  // that with undefined_table before any migration ran, which is safe to try again.
  for (let retry = 1; retry <= 3 && error && !results && isUndefinedTable(error); retry++) {
    await new Promise((resolve) => setTimeout(resolve, 50 * retry));
    ({ error, results } = await migrator.migrateToLatest());
  }
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new VigilError('E_INTERNAL', `store migration ${failed?.migrationName ?? ''} failed`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Open the store named by `url`, create the PostgreSQL schema if asked, and migrate it. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { url } = options;
  let db: Kysely<Database>;
  let kind: Store['kind'];
  if (url.startsWith('sqlite:')) {
    kind = 'sqlite';
    db = openSqlite(url.slice('sqlite:'.length));
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    kind = 'postgres';
    if (options.pgSchema && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.pgSchema)) {
      throw new VigilError('E_BAD_REQUEST', `invalid PostgreSQL schema name '${options.pgSchema}'`);
    }
    if (options.pgSchema) {
      const admin = openPostgres(url, undefined, 1);
      try {
        await sql`create schema if not exists ${sql.id(options.pgSchema)}`.execute(admin);
      } finally {
        await admin.destroy();
      }
    }
    db = openPostgres(url, options.pgSchema, options.poolSize ?? 10);
  } else {
    throw new VigilError('E_BAD_REQUEST', `unsupported store URL '${url}': use sqlite:PATH or postgres://…`);
  }
  await migrate(db);
  return {
    db,
    kind,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}

/** PostgreSQL's undefined_table (42P01). */
function isUndefinedTable(error: unknown): boolean {
  return (error as { code?: unknown }).code === '42P01';
}
