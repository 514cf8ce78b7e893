/** Watch paths and ignore patterns of an account: SQL for the monitoring path service and the rule-set builder. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, MonitoringPathsTable } from '../schema.js';

export type MonitoringPathRow = Selectable<MonitoringPathsTable>;

/** SQL for configured monitoring paths. */
export class MonitoringPathsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert one. */
  async insert(row: MonitoringPathRow): Promise<void> {
    await this.db.insertInto('monitoring_paths').values(row).execute();
  }

  /** One of an account, by id. */
  async byId(accountId: string, id: string): Promise<MonitoringPathRow | undefined> {
    return this.db
      .selectFrom('monitoring_paths')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Every one of an account (account-wide first, then by path). */
  async list(accountId: string): Promise<MonitoringPathRow[]> {
    return this.db
      .selectFrom('monitoring_paths')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('kind', 'desc')
      .orderBy('path')
      .orderBy('id')
      .limit(1000)
      .execute();
  }

  /** Those that apply to a device: account-wide ones and those of the groups it is in. */
  async forDevice(accountId: string, deviceId: string): Promise<MonitoringPathRow[]> {
    return this.db
      .selectFrom('monitoring_paths')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((eb) =>
        eb.or([
          eb('group_id', 'is', null),
          eb(
            'group_id',
            'in',
            eb.selectFrom('group_members').select('group_id').where('device_id', '=', deviceId),
          ),
        ]),
      )
      .orderBy('path')
      .orderBy('id')
      .limit(1000)
      .execute();
  }

  /** Delete one. */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('monitoring_paths').where('id', '=', id).execute();
  }
}
