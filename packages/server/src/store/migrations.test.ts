import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from './db.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { storeEngines, TEST_PG_URL } from './test-stores.js';

const engines = await storeEngines();

const EXPECTED_TABLES = [
  'accounts',
  'users',
  'sessions',
  'api_tokens',
  'audit_log',
  'devices',
  'device_tags',
  'groups',
  'group_members',
  'enrollment_tokens',
  'agent_messages',
  'agent_commands',
  'alerts',
  'query_campaigns',
  'query_campaign_devices',
  'saved_queries',
  'scheduled_results',
  'check_overrides',
  'check_results',
  'compliance_history',
  'metric_samples',
  'metric_rollups_1m',
  'metric_rollups_1h',
  'metric_latest',
  'response_rules',
  'software_packages',
];

/** An empty database of the engine (no migration run yet), with its table lister and disposal. */
async function emptyDatabase(
  kind: 'sqlite' | 'postgres',
): Promise<{ db: Kysely<Database>; tables(): Promise<string[]>; dispose(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-migrate-'));
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: new SqliteDatabase(join(dir, 'empty.db')) }),
    });
    return {
      db,
      tables: async () =>
        (
          await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
        ).rows.map((r) => r.name),
      async dispose() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `m_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: TEST_PG_URL, max: 1 }) }),
  });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: TEST_PG_URL, max: 2, options: `-c search_path=${schema}` }),
    }),
  });
  return {
    db,
    tables: async () =>
      (
        await sql<{
          table_name: string;
        }>`select table_name from information_schema.tables where table_schema = ${schema}`.execute(db)
      ).rows.map((r) => r.table_name),
    async dispose() {
      await db.destroy();
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
      await admin.destroy();
    },
  };
}

describe.each(engines)('migrations on %s', (kind) => {
  it('apply to an empty store, create every table, and are a no-op the second time', async () => {
    const store = await emptyDatabase(kind);
    try {
      expect(await store.tables()).toEqual([]);
      const applied = await migrate(store.db);
      expect(applied).toEqual(Object.keys(migrations).sort());
      const tables = await store.tables();
      for (const t of EXPECTED_TABLES) expect(tables, `table ${t}`).toContain(t);
      expect(tables).toContain('vigil_migrations');

      await store.db
        .insertInto('accounts')
        .values({ id: 'acc1', name: 'Kept', created_at: '2024-01-01T00:00:00.000Z' })
        .execute();
      expect(await migrate(store.db)).toEqual([]);
      const recorded = await sql<{ name: string }>`select name from vigil_migrations order by name`.execute(
        store.db,
      );
      expect(recorded.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
      // Re-running kept the data.
      expect(await store.db.selectFrom('accounts').select('name').execute()).toEqual([{ name: 'Kept' }]);
    } finally {
      await store.dispose();
    }
  });
  it('0016 scores the devices that already have check results, as the check service does', async () => {
    const store = await emptyDatabase(kind);
    try {
      // Migrate up to the one before, the way a store from before 0016 stands.
      const schema =
        store.db.getExecutor().adapter instanceof PostgresAdapter
          ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]
              ?.schema
          : undefined;
      const before = Object.fromEntries(
        Object.entries(migrations).filter(([name]) => name < '0016-device-compliance'),
      );
      const { error } = await new Migrator({
        db: store.db,
        provider: { getMigrations: async () => before },
        migrationTableName: 'vigil_migrations',
        migrationLockTableName: 'vigil_migrations_lock',
        ...(schema ? { migrationTableSchema: schema } : {}),
      }).migrateToLatest();
      expect(error).toBeUndefined();
      const at = '2024-01-01T00:00:00.000Z';
      await store.db.insertInto('accounts').values({ id: 'acc1', name: 'A', created_at: at }).execute();
      for (const id of ['d-mixed', 'd-info-fails', 'd-info-only', 'd-none'])
        await sql`insert into devices (id, account_id, hostname, os_platform, os_name, os_version, os_kernel,
          os_arch, agent_version, status, mode, ip, public_key, facts, enrolled_at, last_seen_at, revoked_at,
          machine_id) values (${id}, 'acc1', ${id}, 'linux', 'Debian', '12', '6.1', 'x86_64', '1', 'online',
          'live', null, ${`key-${id}`}, '{}', ${at}, null, null, ${`m-${id}`})`.execute(store.db);
      const results: Array<[string, string, string, string]> = [
        // high fails (4), low passes (1): 1 of 5 → 20
        ['d-mixed', 'A.B.High', 'high', 'fail'],
        ['d-mixed', 'A.B.Low', 'low', 'pass'],
        // info weighs nothing and errors do not count: medium passes → 100
        ['d-info-fails', 'A.B.Info', 'info', 'fail'],
        ['d-info-fails', 'A.B.Medium', 'medium', 'pass'],
        ['d-info-fails', 'A.B.Broken', 'critical', 'error'],
        // nothing weighs anything → no score
        ['d-info-only', 'A.B.Info', 'info', 'pass'],
      ];
      for (const [device, check, severity, status] of results)
        await store.db
          .insertInto('check_results')
          .values({
            account_id: 'acc1',
            device_id: device,
            check_name: check,
            severity,
            status,
            since: at,
            last_run_at: at,
            evidence: null,
            error: null,
          })
          .execute();

      expect(await migrate(store.db)).toContain('0016-device-compliance');
      const scores = await store.db
        .selectFrom('devices')
        .select(['id', 'compliance_score'])
        .orderBy('id')
        .execute();
      expect(
        scores.map((r) => [r.id, r.compliance_score === null ? null : Number(r.compliance_score)]),
      ).toEqual([
        ['d-info-fails', 100],
        ['d-info-only', null],
        ['d-mixed', 20],
        ['d-none', null],
      ]);
    } finally {
      await store.dispose();
    }
  });
});
