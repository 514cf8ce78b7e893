/** Detection rule parameter values of an account: SQL for the rule-set builder and the rule parameter routes. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, DetectionRuleParamsTable } from '../schema.js';

export type DetectionRuleParamsRow = Selectable<DetectionRuleParamsTable>;

/** SQL for detection rule parameters. */
export class DetectionRuleParamsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every rule's parameters the account set. */
  async list(accountId: string): Promise<DetectionRuleParamsRow[]> {
    return this.db
      .selectFrom('detection_rule_params')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('rule')
      .limit(2000)
      .execute();
  }

  /** Set (insert or replace) one rule's parameters. */
  async put(row: DetectionRuleParamsRow): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('detection_rule_params')
        .where('account_id', '=', row.account_id)
        .where('rule', '=', row.rule)
        .execute();
      await trx.insertInto('detection_rule_params').values(row).execute();
    });
  }

  /** Forget one rule's parameters (back to the defaults); whether there were any. */
  async delete(accountId: string, rule: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('detection_rule_params')
      .where('account_id', '=', accountId)
      .where('rule', '=', rule)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
