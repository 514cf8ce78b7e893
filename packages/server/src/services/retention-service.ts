/**
 * The retention job: deletes live-query campaigns (with their per-device status and result rows)
 * and scheduled-query results older than the configured number of days. It runs once shortly
 * after start and then hourly; every statement deletes at most one batch and the job yields to
 * the event loop between statements, so a large backlog never holds the database (SQLite's one
 * writer) or the event loop for long. Each run that deleted something is audited as the system.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { MetricsRegistry, RETENTION_KINDS } from '../http/metrics.js';
import type { Store } from '../store/db.js';
import type { AuditRepo } from '../store/repos/audit.js';
import { QueryRetentionRepo } from '../store/repos/query-retention.js';

/** One kind of row the job deletes, as counted in metrics and the audit record. */
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** How long results are kept and how the job paces itself. */
export interface RetentionOptions {
  /** Days live-query campaigns are kept; 0 keeps them forever. */
  liveDays: number;
  /** Days scheduled-query results are kept; 0 keeps them forever. */
  scheduledDays: number;
  /** Rows one statement deletes at most (default 1000). */
  batchSize?: number;
  /** Delay of the first run after start (default 60 s: let the node settle first). */
  startDelayMs?: number;
  /** Cron pattern of later runs (default hourly). */
  schedule?: string;
  /** The clock (tests). */
  now?: () => Date;
}

/** What the job needs from the node. */
export interface RetentionDeps {
  store: Pick<Store, 'db'>;
  audit: AuditRepo;
  log: Logger;
  metrics: Pick<MetricsRegistry, 'retentionDeletedRows' | 'retentionRuns'>;
}

/** The outcome of one run. */
export interface RetentionRunResult {
  outcome: 'success' | 'failure';
  deleted: Record<RetentionKind, number>;
  /** Delete statements executed. */
  statements: number;
  /** The most rows any single delete statement removed (never above the batch size). */
  largestStatement: number;
  /** Whether the run ended early because the job was stopped. */
  interrupted: boolean;
  durationMs: number;
  error?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The cut-off timestamp (store format) for rows kept `days` days before `now`. */
export function retentionCutoff(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}

/** Deletes expired query results on a schedule. */
export class RetentionService {
  private readonly repo: QueryRetentionRepo;
  private readonly batchSize: number;
  private cron: Cron | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionRunResult> | undefined;
  private stopping = false;

  constructor(
    private readonly deps: RetentionDeps,
    private readonly options: RetentionOptions,
  ) {
    this.repo = new QueryRetentionRepo(deps.store.db);
    this.batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError(`retention batch size must be a positive integer, got ${this.batchSize}`);
  }

  /** Whether any retention is configured (0 days for both keeps everything, and nothing is scheduled). */
  get enabled(): boolean {
    return this.options.liveDays > 0 || this.options.scheduledDays > 0;
  }

  /** Whether a run is scheduled (a start timer or the hourly job). */
  get scheduled(): boolean {
    return this.startTimer !== undefined || this.cron !== undefined;
  }

  /** Schedule the first run shortly after now and then hourly; does nothing when retention is off. */
  start(): void {
    if (!this.enabled || this.scheduled) return;
    this.stopping = false;
    // Unreferenced: a pending retention run never keeps the process alive on its own.
    this.startTimer = setTimeout(() => {
      this.startTimer = undefined;
      void this.runOnce();
    }, this.options.startDelayMs ?? 60_000);
    this.startTimer.unref();
    this.cron = new Cron(this.options.schedule ?? '@hourly', { unref: true, protect: true }, () => {
      void this.runOnce();
    });
  }

  /** Cancel the schedule, interrupt a run in progress between two batches, and wait for it to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
    this.cron?.stop();
    this.cron = undefined;
    await this.running;
  }

  /** Run now (a run already in progress is joined, never doubled). Never rejects: failures are in the result. */
  runOnce(): Promise<RetentionRunResult> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async run(): Promise<RetentionRunResult> {
    const startedAt = Date.now();
    const now = (this.options.now ?? (() => new Date()))();
    const result: RetentionRunResult = {
      outcome: 'success',
      deleted: { live_campaigns: 0, live_device_results: 0, scheduled_results: 0 },
      statements: 0,
      largestStatement: 0,
      interrupted: false,
      durationMs: 0,
    };
    const liveCutoff = this.options.liveDays > 0 ? retentionCutoff(now, this.options.liveDays) : null;
    const scheduledCutoff =
      this.options.scheduledDays > 0 ? retentionCutoff(now, this.options.scheduledDays) : null;
    try {
      if (liveCutoff) await this.purgeLive(liveCutoff, result);
      if (scheduledCutoff && !this.stopping) await this.purgeScheduled(scheduledCutoff, result);
    } catch (error) {
      result.outcome = 'failure';
      result.error = error instanceof Error ? error.message : String(error);
      this.deps.log.error({ err: error }, 'retention run failed; deleted rows so far stay deleted');
    }
    result.interrupted = this.stopping;
    result.durationMs = Date.now() - startedAt;
    this.deps.metrics.retentionRuns.inc({ outcome: result.outcome });
    const total = Object.values(result.deleted).reduce((a, b) => a + b, 0);
    if (total > 0) await this.audit(result, liveCutoff, scheduledCutoff);
    const d = result.deleted;
    this.deps.log.info(
      { retention: { ...d, statements: result.statements, ms: result.durationMs, outcome: result.outcome } },
      `retention: deleted ${d.live_campaigns} live-query campaigns (${d.live_device_results} device results) ` +
        `and ${d.scheduled_results} scheduled results in ${result.durationMs} ms` +
        (result.interrupted ? ' (stopped early)' : ''),
    );
    return result;
  }

  /** Count one delete statement's rows in the result and the metrics. */
  private counted(kind: RetentionKind, rows: number, result: RetentionRunResult): number {
    result.statements += 1;
    result.largestStatement = Math.max(result.largestStatement, rows);
    result.deleted[kind] += rows;
    if (rows > 0) this.deps.metrics.retentionDeletedRows.inc({ kind }, rows);
    return rows;
  }

  private async purgeLive(cutoff: string, result: RetentionRunResult): Promise<void> {
    for (const accountId of await this.repo.accountIds()) {
      while (!this.stopping) {
        const campaigns = await this.repo.expiredCampaigns(accountId, cutoff, this.batchSize);
        if (campaigns.length === 0) break;
        // Device rows first, until none are left: a campaign row never outlives its results'
        // deletion, and an interrupted run leaves the campaign for the next run to finish.
        let rows: number;
        do {
          await nextTick();
          if (this.stopping) return;
          rows = this.counted(
            'live_device_results',
            await this.repo.deleteCampaignDeviceRows(campaigns, this.batchSize),
            result,
          );
        } while (rows > 0);
        const gone = this.counted('live_campaigns', await this.repo.deleteCampaigns(campaigns), result);
        await nextTick();
        // A short batch was the last; no progress means another node is deleting the same rows.
        if (campaigns.length < this.batchSize || gone === 0) break;
      }
    }
  }

  private async purgeScheduled(cutoff: string, result: RetentionRunResult): Promise<void> {
    while (!this.stopping) {
      const expired = await this.repo.expiredScheduledResults(cutoff, this.batchSize);
      if (expired.length === 0) break;
      const gone = this.counted('scheduled_results', await this.repo.deleteScheduledResults(expired), result);
      await nextTick();
      // A short batch was the last; no progress means another node is deleting the same rows.
      if (expired.length < this.batchSize || gone === 0) break;
    }
  }

  private async audit(
    result: RetentionRunResult,
    liveCutoff: string | null,
    scheduledCutoff: string | null,
  ): Promise<void> {
    try {
      await this.deps.audit.append({
        account_id: null,
        actor: 'system',
        actor_name: 'retention job',
        action: 'retention.purge',
        target: null,
        source_ip: null,
        outcome: result.outcome,
        detail: {
          ...result.deleted,
          live_cutoff: liveCutoff,
          scheduled_cutoff: scheduledCutoff,
          retention_live_days: this.options.liveDays,
          retention_scheduled_days: this.options.scheduledDays,
          ...(result.error ? { error: result.error } : {}),
        },
      });
    } catch (error) {
      this.deps.log.error({ err: error }, 'retention: recording the audit entry failed');
    }
  }
}
