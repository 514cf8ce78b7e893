/**
 * Test helper: every store test runs on SQLite and, where it is reachable, PostgreSQL.
 * On CI (CI=true) PostgreSQL must be there: a missing server fails loudly instead of skipping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { openStore, type Store } from './db.js';

/** The PostgreSQL server tests use; override with VIGIL_TEST_PG. */
export const TEST_PG_URL = process.env.VIGIL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgAvailable: boolean | undefined;

/** Whether the test PostgreSQL server answers. */
export async function postgresAvailable(): Promise<boolean> {
  if (pgAvailable !== undefined) return pgAvailable;
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    pgAvailable = true;
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL is required on CI but ${TEST_PG_URL} did not answer: ${String(error)}`);
    }
    console.warn(`PostgreSQL not reachable at ${TEST_PG_URL}: PostgreSQL store tests are SKIPPED`);
    pgAvailable = false;
  } finally {
    await client.end().catch(() => {});
  }
  return pgAvailable;
}

/** The engines to run store tests on, resolved once per test file (top-level await). */
export async function storeEngines(): Promise<Array<'sqlite' | 'postgres'>> {
  return (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A fresh, migrated, empty store on the given engine, plus its disposal. */
export async function freshStore(
  kind: 'sqlite' | 'postgres',
): Promise<Store & { url: string; dispose(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
    const url = `sqlite:${join(dir, 'vigil.db')}`;
    const store = await openStore({ url });
    return {
      ...store,
      url,
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const store = await openStore({ url: TEST_PG_URL, pgSchema: schema, poolSize: 4 });
  return {
    ...store,
    url: TEST_PG_URL,
    pgSchema: schema,
    async dispose() {
      await store.close();
      const admin = new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: TEST_PG_URL, max: 1 }) }),
      });
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
      await admin.destroy();
    },
  } as Store & { url: string; dispose(): Promise<void> };
}
