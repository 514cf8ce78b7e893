/** Suppression rules: alerts of a rule (pattern) on a device, a group or everywhere, until they expire. */
import { type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import type { AlertSuppressionsTable, Database } from '../schema.js';

export type SuppressionRow = Selectable<AlertSuppressionsTable>;

/** SQL for suppression rules. */
export class AlertSuppressionsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a rule. */
  async insert(row: Omit<SuppressionRow, 'hits'>): Promise<void> {
    await this.db.insertInto('alert_suppressions').values(row).execute();
  }

  /** One rule of an account. */
  async byId(accountId: string, id: string): Promise<SuppressionRow | undefined> {
    return this.db
      .selectFrom('alert_suppressions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Rules of an account, newest first; expired ones only when asked. */
  async list(accountId: string, now: string, includeExpired: boolean): Promise<SuppressionRow[]> {
    let q = this.db.selectFrom('alert_suppressions').selectAll().where('account_id', '=', accountId);
    if (!includeExpired)
      q = q.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1000).execute();
  }

  /**
   * Unexpired rules that could apply to a device: device-wide, of that device, or of a group
   * it belongs to. The rule pattern is matched by the caller.
   */
  async candidates(accountId: string, deviceId: string | null, now: string): Promise<SuppressionRow[]> {
    return this.db
      .selectFrom('alert_suppressions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .where((eb) => {
        const scopes = [eb.and([eb('device_id', 'is', null), eb('group_id', 'is', null)])];
        if (deviceId) {
          scopes.push(eb('device_id', '=', deviceId));
          scopes.push(
            eb(
              'group_id',
              'in',
              eb.selectFrom('group_members').select('group_id').where('device_id', '=', deviceId),
            ),
          );
        }
        return eb.or(scopes);
      })
      .orderBy('created_at')
      .execute();
  }

  /** Count one more alert muted by a rule. */
  async hit(id: string): Promise<void> {
    await this.db
      .updateTable('alert_suppressions')
      .set({ hits: sql`hits + 1` })
      .where('id', '=', id)
      .execute();
  }

  /** Change a rule. */
  async update(id: string, patch: Updateable<AlertSuppressionsTable>): Promise<void> {
    await this.db.updateTable('alert_suppressions').set(patch).where('id', '=', id).execute();
  }

  /** Delete a rule. */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('alert_suppressions').where('id', '=', id).execute();
  }
}
