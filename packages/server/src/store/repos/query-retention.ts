/**
 * Batched deletes of expired query results for the retention job. Every statement touches at
 * most `limit` rows and walks an existing index, so no single statement holds the database long:
 * campaigns are found per account along `query_campaigns_account (account_id, created_at)`,
 * their per-device rows by the primary key `(campaign_id, device_id)`, and scheduled results
 * along `scheduled_results_at (at)`.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** SQL for deleting expired live-query campaigns and scheduled-query results. */
export class QueryRetentionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every account id (campaigns are walked account by account to use their index). */
  async accountIds(): Promise<string[]> {
    return (await this.db.selectFrom('accounts').select('id').orderBy('id').execute()).map((r) => r.id);
  }

  /** Up to `limit` ids of the account's campaigns created before `cutoff`, oldest first. */
  async expiredCampaigns(accountId: string, cutoff: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('query_campaigns')
      .select('id')
      .where('account_id', '=', accountId)
      .where('created_at', '<', cutoff)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Delete up to `limit` per-device status and result rows of these campaigns; returns how many went. */
  async deleteCampaignDeviceRows(campaignIds: string[], limit: number): Promise<number> {
    if (campaignIds.length === 0) return 0;
    const result = await this.db
      .deleteFrom('query_campaign_devices')
      .where((eb) =>
        eb(
          eb.refTuple('campaign_id', 'device_id'),
          'in',
          eb
            .selectFrom('query_campaign_devices')
            .select(['campaign_id', 'device_id'])
            .where('campaign_id', 'in', campaignIds)
            .limit(limit)
            .$asTuple('campaign_id', 'device_id'),
        ),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Delete these campaign rows (once their per-device rows are gone); returns how many went. */
  async deleteCampaigns(campaignIds: string[]): Promise<number> {
    if (campaignIds.length === 0) return 0;
    const result = await this.db
      .deleteFrom('query_campaigns')
      .where('id', 'in', campaignIds)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** The query for up to `limit` ids of scheduled results stored before `cutoff`, oldest first. */
  expiredScheduledResultsQuery(cutoff: string, limit: number) {
    return this.db
      .selectFrom('scheduled_results')
      .select('id')
      .where('at', '<', cutoff)
      .orderBy('at')
      .limit(limit);
  }

  /** Up to `limit` ids of scheduled results stored before `cutoff`, oldest first. */
  async expiredScheduledResults(cutoff: string, limit: number): Promise<string[]> {
    return (await this.expiredScheduledResultsQuery(cutoff, limit).execute()).map((r) => r.id);
  }

  /** Delete these scheduled results; returns how many went (rows already gone are not counted). */
  async deleteScheduledResults(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db.deleteFrom('scheduled_results').where('id', 'in', ids).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
