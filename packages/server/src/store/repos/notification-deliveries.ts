/**
 * The durable notification queue. A delivery is claimed with a lease before it is sent, so a
 * node that dies mid-send leaves it to be picked up again once the lease runs out.
 */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Database, NotificationDeliveriesTable } from '../schema.js';

export type DeliveryRow = Selectable<NotificationDeliveriesTable>;

/** SQL for notification deliveries. */
export class NotificationDeliveriesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Queue deliveries. */
  async insert(rows: DeliveryRow[]): Promise<void> {
    if (rows.length > 0) await this.db.insertInto('notification_deliveries').values(rows).execute();
  }

  /** One delivery by id. */
  async byId(id: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Ids of deliveries due now: pending and due, or sending with an expired lease (a node died). */
  async due(now: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('notification_deliveries')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Take a due delivery for this node until `leaseUntil`; false when another node took it first. */
  async claim(id: string, now: string, leaseUntil: string): Promise<boolean> {
    const r = await this.db
      .updateTable('notification_deliveries')
      .set({ status: 'sending', lease_until: leaseUntil })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
        ]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Change a delivery. */
  async update(id: string, patch: Updateable<NotificationDeliveriesTable>): Promise<void> {
    await this.db.updateTable('notification_deliveries').set(patch).where('id', '=', id).execute();
  }

  /** Messages a route started sending since `since` (what its rate limit counts). */
  async startedSince(routeId: string, since: string): Promise<number> {
    const r = await this.db
      .selectFrom('notification_deliveries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('route_id', '=', routeId)
      .where('first_attempt_at', '>=', since)
      .where('kind', 'in', ['alert', 'digest'])
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Routes whose held alerts are due to go out as a digest. */
  async digestsDue(now: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('notification_deliveries')
      .select('route_id')
      .where('status', '=', 'held')
      .groupBy('route_id')
      .having((eb) => eb.fn.min('next_attempt_at'), '<=', now)
      .execute();
    return rows.map((r) => r.route_id);
  }

  /** Held deliveries of a route, oldest first. */
  async held(routeId: string, limit: number): Promise<DeliveryRow[]> {
    return this.db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('route_id', '=', routeId)
      .where('status', '=', 'held')
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Mark held deliveries as folded into a digest; returns how many were still held. */
  async markDigested(ids: string[], digestId: string): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db
      .updateTable('notification_deliveries')
      .set({ status: 'digested', digest_id: digestId, lease_until: null })
      .where('id', 'in', ids)
      .where('status', '=', 'held')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** One page of an account's deliveries, newest first. */
  async page(
    accountId: string,
    f: { status?: string; route_id?: string; limit: number; cursor?: string },
  ): Promise<{ items: DeliveryRow[]; next_cursor: string | null }> {
    let q = this.db.selectFrom('notification_deliveries').selectAll().where('account_id', '=', accountId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.route_id) q = q.where('route_id', '=', f.route_id);
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      const at = c.sortValue ?? '';
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', c.id)])]),
      );
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .execute();
    const items = rows.slice(0, f.limit);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor: rows.length > f.limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }
}
