/** Device groups and their members (explicit for static groups, computed for dynamic ones). */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { type SqlBool, sql } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Database, GroupsTable } from '../schema.js';
import { escapeLike } from './devices.js';

export type GroupRow = Selectable<GroupsTable>;

/**
 * The group a rule or setting is scoped to, as the API shows it (null: the whole account). A
 * group deleted since keeps its id and shows as "(deleted group)".
 */
export async function groupRef(
  db: Kysely<Database>,
  groupId: string | null,
): Promise<{ id: string; name: string } | null> {
  if (!groupId) return null;
  const g = await db.selectFrom('groups').select(['id', 'name']).where('id', '=', groupId).executeTakeFirst();
  return g ?? { id: groupId, name: '(deleted group)' };
}

/** SQL for groups and memberships. */
export class GroupsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a group. */
  async create(row: GroupRow): Promise<void> {
    await this.db.insertInto('groups').values(row).execute();
  }

  /** A group by id or by name within an account. */
  async find(accountId: string, idOrName: string): Promise<GroupRow | undefined> {
    return this.db
      .selectFrom('groups')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .orderBy('id')
      .executeTakeFirst();
  }

  /** Update a group. */
  async update(id: string, patch: Updateable<GroupsTable>): Promise<void> {
    await this.db.updateTable('groups').set(patch).where('id', '=', id).execute();
  }

  /** Delete a group and its memberships atomically. */
  async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('group_members').where('group_id', '=', id).execute();
      await trx.deleteFrom('groups').where('id', '=', id).execute();
    });
  }

  /** One page of groups by name, with member counts. */
  async list(accountId: string, f: { q?: string; limit: number; cursor?: string }) {
    let q = this.db
      .selectFrom('groups')
      .selectAll('groups')
      .select((eb) =>
        eb
          .selectFrom('group_members')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('group_members.group_id', '=', 'groups.id')
          .as('member_count'),
      )
      .where('account_id', '=', accountId);
    if (f.q) q = q.where(sql<SqlBool>`lower(name) like ${`%${escapeLike(f.q.toLowerCase())}%`} escape '\\'`);
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      const name = c.sortValue ?? '';
      q = q.where((eb) =>
        eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', c.id)])]),
      );
    }
    const rows = await q
      .orderBy('name')
      .orderBy('id')
      .limit(f.limit + 1)
      .execute();
    const items = rows.slice(0, f.limit).map((r) => ({ ...r, member_count: Number(r.member_count ?? 0) }));
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > f.limit && last ? encodeCursor(last.name, last.id) : null };
  }

  /** Member count of one group. */
  async memberCount(groupId: string): Promise<number> {
    const r = await this.db
      .selectFrom('group_members')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('group_id', '=', groupId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Member device ids of a group. */
  async memberIds(groupId: string): Promise<string[]> {
    return (
      await this.db.selectFrom('group_members').select('device_id').where('group_id', '=', groupId).execute()
    ).map((r) => r.device_id);
  }

  /** Whether the device is a member (explicit, or by a dynamic group's rule). */
  async hasMember(groupId: string, deviceId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('group_members')
      .select('device_id')
      .where('group_id', '=', groupId)
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Add explicit members (idempotent). */
  async addMembers(accountId: string, groupId: string, deviceIds: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const existing = new Set(
        (
          await trx.selectFrom('group_members').select('device_id').where('group_id', '=', groupId).execute()
        ).map((r) => r.device_id),
      );
      const fresh = deviceIds.filter((d) => !existing.has(d));
      if (fresh.length > 0) {
        await trx
          .insertInto('group_members')
          .values(fresh.map((device_id) => ({ group_id: groupId, device_id, account_id: accountId })))
          .execute();
      }
    });
  }

  /** Remove explicit members. */
  async removeMembers(groupId: string, deviceIds: string[]): Promise<void> {
    await this.db
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .where('device_id', 'in', deviceIds)
      .execute();
  }

  /** Replace the whole membership of a dynamic group in one transaction. */
  async replaceMembers(accountId: string, groupId: string, deviceIds: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('group_members').where('group_id', '=', groupId).execute();
      for (let i = 0; i < deviceIds.length; i += 500) {
        const chunk = deviceIds.slice(i, i + 500);
        await trx
          .insertInto('group_members')
          .values(chunk.map((device_id) => ({ group_id: groupId, device_id, account_id: accountId })))
          .execute();
      }
    });
  }

  /** Set whether one device belongs to a dynamic group. */
  async setMembership(accountId: string, groupId: string, deviceId: string, member: boolean): Promise<void> {
    if (member) await this.addMembers(accountId, groupId, [deviceId]);
    else await this.removeMembers(groupId, [deviceId]);
  }

  /** Every dynamic group of an account. */
  async dynamicGroups(accountId: string): Promise<GroupRow[]> {
    return this.db
      .selectFrom('groups')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('kind', '=', 'dynamic')
      .execute();
  }
}
