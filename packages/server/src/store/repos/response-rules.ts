/** Automated response rules of an account: SQL for the response service and the rule-set builder. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, ResponseRulesTable } from '../schema.js';

export type ResponseRuleRow = Selectable<ResponseRulesTable>;

/** SQL for response rules. */
export class ResponseRulesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a rule. */
  async insert(row: ResponseRuleRow): Promise<void> {
    await this.db.insertInto('response_rules').values(row).execute();
  }

  /** One rule of an account, by id or by name. */
  async byIdOrName(accountId: string, idOrName: string): Promise<ResponseRuleRow | undefined> {
    return this.db
      .selectFrom('response_rules')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
  }

  /** Every rule of an account, by name. */
  async list(accountId: string): Promise<ResponseRuleRow[]> {
    return this.db
      .selectFrom('response_rules')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('name')
      .limit(1000)
      .execute();
  }

  /** The enabled rules that apply to a device: account-wide ones and those of the groups it is in. */
  async forDevice(accountId: string, deviceId: string): Promise<ResponseRuleRow[]> {
    return this.db
      .selectFrom('response_rules')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('enabled', '=', 1)
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
      .orderBy('name')
      .limit(500)
      .execute();
  }

  /** Change a rule's switches (enabled, dry run, hourly cap). */
  async update(id: string, patch: Partial<Pick<ResponseRuleRow, 'enabled' | 'dry_run' | 'max_per_hour'>>) {
    await this.db.updateTable('response_rules').set(patch).where('id', '=', id).execute();
  }

  /** Delete a rule. */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('response_rules').where('id', '=', id).execute();
  }
}
