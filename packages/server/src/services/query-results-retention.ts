/**
 * The retention task of query results: live-query campaigns (with their per-device status and
 * result rows) and scheduled-query results older than the configured number of days. Every
 * statement deletes at most one batch; runs are audited, since they delete what users asked for.
 */

import type { Store } from '../store/db.js';
import { QueryRetentionRepo } from '../store/repos/query-retention.js';
import type { RetentionBudget, RetentionTask } from './retention-task.js';

/** How long query results are kept. */
export interface QueryResultsRetentionOptions {
  /** Days live-query campaigns are kept; 0 keeps them forever. */
  liveDays: number;
  /** Days scheduled-query results are kept; 0 keeps them forever. */
  scheduledDays: number;
  /** Rows one statement deletes at most (default 1000). */
  batchSize?: number;
  /** Least time between two scheduled runs (default one hour). */
  everyMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The cut-off timestamp (store format) for rows kept `days` days before `now`. */
export function retentionCutoff(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}

/** Deletes expired live-query campaigns and scheduled-query results. */
export class QueryResultsRetention implements RetentionTask {
  readonly name = 'query_results';
  readonly kinds = ['live_campaigns', 'live_device_results', 'scheduled_results'] as const;
  readonly audited = true;
  readonly everyMs: number;
  private readonly repo: QueryRetentionRepo;
  private readonly batchSize: number;

  constructor(
    store: Pick<Store, 'db'>,
    private readonly options: QueryResultsRetentionOptions,
  ) {
    this.repo = new QueryRetentionRepo(store.db);
    this.batchSize = options.batchSize ?? 1000;
    this.everyMs = options.everyMs ?? 60 * 60 * 1000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError(`retention batch size must be a positive integer, got ${this.batchSize}`);
  }

  /** Off when both kinds are kept forever. */
  get enabled(): boolean {
    return this.options.liveDays > 0 || this.options.scheduledDays > 0;
  }

  /** The cut-offs and settings of a run at `now`, for the audit record. */
  auditDetail(now: Date): Record<string, unknown> {
    return {
      live_cutoff: this.options.liveDays > 0 ? retentionCutoff(now, this.options.liveDays) : null,
      scheduled_cutoff:
        this.options.scheduledDays > 0 ? retentionCutoff(now, this.options.scheduledDays) : null,
      retention_live_days: this.options.liveDays,
      retention_scheduled_days: this.options.scheduledDays,
    };
  }

  /** Delete expired campaigns first, then expired scheduled results. */
  async run(budget: RetentionBudget): Promise<void> {
    if (this.options.liveDays > 0)
      await this.purgeLive(retentionCutoff(budget.now, this.options.liveDays), budget);
    if (this.options.scheduledDays > 0 && !budget.exhausted())
      await this.purgeScheduled(retentionCutoff(budget.now, this.options.scheduledDays), budget);
  }

  private async purgeLive(cutoff: string, budget: RetentionBudget): Promise<void> {
    for (const accountId of await this.repo.accountIds()) {
      while (!budget.exhausted()) {
        const campaigns = await this.repo.expiredCampaigns(accountId, cutoff, this.batchSize);
        if (campaigns.length === 0) break;
        // Device rows first, until none are left: a campaign row never outlives its results'
        // deletion, and an interrupted run leaves the campaign for the next run to finish.
        let rows: number;
        do {
          if (budget.exhausted()) return;
          rows = await this.repo.deleteCampaignDeviceRows(campaigns, this.batchSize);
          await budget.deleted('live_device_results', rows);
        } while (rows > 0);
        const gone = await this.repo.deleteCampaigns(campaigns);
        await budget.deleted('live_campaigns', gone);
        // A short batch was the last; no progress means another node is deleting the same rows.
        if (campaigns.length < this.batchSize || gone === 0) break;
      }
    }
  }

  private async purgeScheduled(cutoff: string, budget: RetentionBudget): Promise<void> {
    while (!budget.exhausted()) {
      const expired = await this.repo.expiredScheduledResults(cutoff, this.batchSize);
      if (expired.length === 0) break;
      const gone = await this.repo.deleteScheduledResults(expired);
      await budget.deleted('scheduled_results', gone);
      // A short batch was the last; no progress means another node is deleting the same rows.
      if (expired.length < this.batchSize || gone === 0) break;
    }
  }
}
