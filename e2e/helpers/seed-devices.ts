/**
 * Put devices into a server's SQLite store directly. This stands in ONLY for agent enrollment,
 * which does not exist yet: once agents can enroll, tests should enroll real agents instead.
 * The server keeps running; SQLite (WAL) lets this second connection write beside it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Insertable } from 'kysely';
import type { DevicesTable } from '../../packages/server/src/store/schema.js';

/** What a seeded device looks like; everything but the hostname has a default. */
export interface SeedDevice {
  hostname: string;
  status?: 'online' | 'offline' | 'lost' | 'revoked';
  os?: Partial<{ platform: string; name: string; version: string; kernel: string; arch: string }>;
  ip?: string | null;
  tags?: string[];
  facts?: Record<string, unknown>;
  /** The account to put it in (default: the oldest account). */
  accountId?: string;
}

/** Insert devices into the store of the server whose data directory is `dataDir`; returns their ids. */
export function seedDevices(
  dataDir: string,
  devices: SeedDevice[],
  dbFile = join(dataDir, 'vigil.db'),
): string[] {
  const db = new Database(dbFile);
  try {
    db.pragma('busy_timeout = 5000');
    const ids: string[] = [];
    const insert = db.transaction(() => {
      for (const d of devices) {
        const account =
          d.accountId ??
          (
            db.prepare('select id from accounts order by created_at, id limit 1').get() as
              | { id: string }
              | undefined
          )?.id;
        if (!account)
          throw new Error('the store has no account yet: create the first admin before seeding devices');
        const now = new Date().toISOString();
        const row: Insertable<DevicesTable> = {
          id: `dev_${randomBytes(9).toString('base64url')}`,
          account_id: account,
          hostname: d.hostname,
          os_platform: d.os?.platform ?? 'linux',
          os_name: d.os?.name ?? 'Ubuntu',
          os_version: d.os?.version ?? '24.04',
          os_kernel: d.os?.kernel ?? '6.8.0-45-generic',
          os_arch: d.os?.arch ?? 'x86_64',
          agent_version: '0.1.0',
          status: d.status ?? 'online',
          mode: 'live',
          ip: d.ip === undefined ? '10.0.0.1' : d.ip,
          public_key: randomBytes(32).toString('base64'),
          facts: JSON.stringify(d.facts ?? {}),
          enrolled_at: now,
          last_seen_at: now,
          revoked_at: null,
          machine_id: randomBytes(16).toString('hex'),
        };
        const columns = Object.keys(row);
        db.prepare(
          `insert into devices (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
        ).run(row);
        for (const tag of d.tags ?? []) {
          db.prepare('insert into device_tags (device_id, account_id, tag) values (?, ?, ?)').run(
            row.id,
            account,
            tag,
          );
        }
        ids.push(row.id);
      }
    });
    insert();
    return ids;
  } finally {
    db.close();
  }
}
