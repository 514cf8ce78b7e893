/** Notification routes: where alerts of which severity, rule and group are sent, and how. */
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database, NotificationRoutesTable } from '../schema.js';

export type RouteRow = Selectable<NotificationRoutesTable>;

/** SQL for notification routes. */
export class NotificationRoutesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a route. */
  async insert(row: RouteRow): Promise<void> {
    await this.db.insertInto('notification_routes').values(row).execute();
  }

  /** A route of an account by id or name. */
  async find(accountId: string, idOrName: string): Promise<RouteRow | undefined> {
    return this.db
      .selectFrom('notification_routes')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .orderBy('id')
      .executeTakeFirst();
  }

  /** A route by id, whatever its account (the worker). */
  async byId(id: string): Promise<RouteRow | undefined> {
    return this.db.selectFrom('notification_routes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Every route of an account, by name. */
  async list(accountId: string): Promise<RouteRow[]> {
    return this.db
      .selectFrom('notification_routes')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('name')
      .limit(1000)
      .execute();
  }

  /** Enabled routes of an account (matched against each new alert). */
  async enabled(accountId: string): Promise<RouteRow[]> {
    return this.db
      .selectFrom('notification_routes')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('enabled', '=', 1)
      .execute();
  }

  /** Change a route. */
  async update(id: string, patch: Updateable<NotificationRoutesTable>): Promise<void> {
    await this.db.updateTable('notification_routes').set(patch).where('id', '=', id).execute();
  }

  /** Delete a route; its unsent deliveries are cancelled, sent and dead ones stay as history. */
  async delete(id: string, now: string): Promise<void> {
    await this.db
      .updateTable('notification_deliveries')
      .set({
        status: 'cancelled',
        last_error: 'the route was deleted',
        lease_until: null,
        next_attempt_at: now,
      })
      .where('route_id', '=', id)
      .where('status', 'in', ['pending', 'sending', 'held'])
      .execute();
    await this.db.deleteFrom('notification_routes').where('id', '=', id).execute();
  }
}
