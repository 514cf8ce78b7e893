/** Devices (enrolled agents), their tags and their facts. */
import { type Expression, type Kysely, type Selectable, type SqlBool, sql, type Updateable } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Database, DevicesTable } from '../schema.js';

export type DeviceRow = Selectable<DevicesTable>;

/** The sortable columns of the device list. */
export type DeviceSortKey = 'hostname' | 'enrolled_at' | 'last_seen_at' | 'status';

/** Which devices a listing or a count is about (every given filter must hold). */
export interface DeviceMatch {
  status?: string;
  tag?: string;
  group?: string;
  q?: string;
  where?: Expression<SqlBool>;
  /** Only devices whose compliance score is below this (devices without a score never match). */
  complianceBelow?: number;
}

/** Filters and page for listing devices. */
export interface DeviceListFilter extends DeviceMatch {
  sort: DeviceSortKey;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

/** SQL for devices and tags. */
export class DevicesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a device. */
  async create(row: DeviceRow): Promise<void> {
    await this.db.insertInto('devices').values(row).execute();
  }

  /** One device of an account. */
  async get(accountId: string, id: string): Promise<DeviceRow | undefined> {
    return this.db
      .selectFrom('devices')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** One device by id, any account (agent channel: the id comes from a verified key). */
  async byId(id: string): Promise<DeviceRow | undefined> {
    return this.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Update columns of a device. */
  async update(id: string, patch: Updateable<DevicesTable>): Promise<void> {
    await this.db.updateTable('devices').set(patch).where('id', '=', id).execute();
  }

  /** The account's devices that match, as a query to select from. */
  private matching(accountId: string, f: DeviceMatch) {
    let q = this.db.selectFrom('devices').where('account_id', '=', accountId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.complianceBelow !== undefined) q = q.where('compliance_score', '<', f.complianceBelow);
    if (f.q)
      q = q.where(sql<SqlBool>`lower(hostname) like ${`%${escapeLike(f.q.toLowerCase())}%`} escape '\\'`);
    if (f.tag) {
      const tag = f.tag;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('device_tags')
            .select('tag')
            .whereRef('device_tags.device_id', '=', 'devices.id')
            .where('tag', '=', tag),
        ),
      );
    }
    if (f.group) {
      const group = f.group;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('group_members')
            .select('group_id')
            .whereRef('group_members.device_id', '=', 'devices.id')
            .where('group_id', '=', group),
        ),
      );
    }
    if (f.where) q = q.where(f.where);
    return q;
  }

  /** How many of an account's devices match (one count query over the account's index). */
  async count(accountId: string, f: DeviceMatch): Promise<number> {
    const row = await this.matching(accountId, f)
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** One page of an account's devices. Sorting is keyset-paginated by (sort column, id). */
  async list(
    accountId: string,
    f: DeviceListFilter,
  ): Promise<{ items: DeviceRow[]; next_cursor: string | null }> {
    let q = this.matching(accountId, f).selectAll();
    const col = f.sort;
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      // NULL sort values (never seen) are mapped to '' so the keyset order is total on both engines.
      const v = c.sortValue ?? '';
      const cmp = f.order === 'asc' ? '>' : '<';
      q = q.where((eb) => {
        const value = eb.fn.coalesce(col, eb.val(''));
        return eb.or([eb(value, cmp, v), eb.and([eb(value, '=', v), eb('id', cmp, c.id)])]);
      });
    }
    const rows = await q
      .orderBy((eb) => eb.fn.coalesce(col, eb.val('')), f.order)
      .orderBy('id', f.order)
      .limit(f.limit + 1)
      .execute();
    const items = rows.slice(0, f.limit);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor: rows.length > f.limit && last ? encodeCursor(last[col] ?? '', last.id) : null,
    };
  }

  /** Tags of the given devices. */
  async tagsOf(deviceIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (deviceIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('device_tags')
      .select(['device_id', 'tag'])
      .where('device_id', 'in', deviceIds)
      .orderBy('tag')
      .execute();
    for (const r of rows) out.set(r.device_id, [...(out.get(r.device_id) ?? []), r.tag]);
    return out;
  }

  /** How many failing check results each of the given devices has (devices without any are absent). */
  async failingChecksOf(deviceIds: string[]): Promise<Map<string, number>> {
    if (deviceIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('check_results')
      .select(['device_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('device_id', 'in', deviceIds)
      .where('status', '=', 'fail')
      .groupBy('device_id')
      .execute();
    return new Map(rows.map((r) => [r.device_id, Number(r.n)]));
  }

  /** Groups of the given devices. */
  async groupsOf(deviceIds: string[]): Promise<Map<string, Array<{ id: string; name: string }>>> {
    const out = new Map<string, Array<{ id: string; name: string }>>();
    if (deviceIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select(['group_members.device_id', 'groups.id', 'groups.name'])
      .where('group_members.device_id', 'in', deviceIds)
      .orderBy('groups.name')
      .execute();
    for (const r of rows) out.set(r.device_id, [...(out.get(r.device_id) ?? []), { id: r.id, name: r.name }]);
    return out;
  }

  /** Add tags (idempotent) in one transaction. */
  async addTags(accountId: string, deviceId: string, tags: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const existing = new Set(
        (await trx.selectFrom('device_tags').select('tag').where('device_id', '=', deviceId).execute()).map(
          (r) => r.tag,
        ),
      );
      const fresh = tags.filter((t) => !existing.has(t));
      if (fresh.length > 0) {
        await trx
          .insertInto('device_tags')
          .values(fresh.map((tag) => ({ device_id: deviceId, account_id: accountId, tag })))
          .execute();
      }
    });
  }

  /** Remove tags. */
  async removeTags(deviceId: string, tags: string[]): Promise<void> {
    await this.db
      .deleteFrom('device_tags')
      .where('device_id', '=', deviceId)
      .where('tag', 'in', tags)
      .execute();
  }

  /** Every device id of an account (for dynamic group recomputation and `all` targets). */
  async idsOf(accountId: string): Promise<string[]> {
    return (
      await this.db.selectFrom('devices').select('id').where('account_id', '=', accountId).execute()
    ).map((r) => r.id);
  }
}

/** Escape LIKE wildcards in user text. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (m) => `\\${m}`);
}
