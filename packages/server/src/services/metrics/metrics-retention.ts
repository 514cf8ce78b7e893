/**
 * Metrics retention: deletes raw samples older than the raw window, 1-minute roll-ups older than
 * theirs, 1-hour roll-ups older than theirs, and the bookkeeping metrics leave behind (ingested
 * message ids, rate commands). Every statement deletes at most one batch and the job yields to the
 * event loop between statements; a run stops after a bounded number of statements and the next
 * run continues, so a backlog never holds the store or the event loop for long.
 *
 * It runs on its own schedule (every 5 minutes by default, so raw samples never outlive their hour
 * by more than that): the query-results retention job runs hourly and offers no way to add work.
 *
 * Routine expiry is logged, not audited: it runs every few minutes by policy, changes nothing
 * anyone asked for, and would drown the audit log.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Store } from '../../store/db.js';
import { MetricsRepo } from '../../store/repos/metrics.js';
import type { MetricsRetentionWindows } from './ingest-samples.js';

/** Options of the job. */
export interface MetricsRetentionOptions extends MetricsRetentionWindows {
  /** Rows one statement deletes at most (default 5000). */
  batchSize?: number;
  /** Statements one run executes at most (default 200); the rest waits for the next run. */
  maxStatements?: number;
  /** Cron pattern of the runs (default every 5 minutes). */
  schedule?: string;
  /** The clock (tests). */
  now?: () => number;
}

/** What one run deleted. */
export interface MetricsRetentionResult {
  deleted: { raw: number; minute: number; hour: number; message_ids: number; rate_commands: number };
  statements: number;
  /** False when the run hit its statement budget with rows still to delete. */
  complete: boolean;
}

/** Rate commands are useless minutes after they were sent; a day keeps them for troubleshooting. */
const RATE_COMMAND_KEEP_MS = 24 * 3_600_000;

/** Deletes expired metrics in bounded batches. */
export class MetricsRetention {
  private readonly repo: MetricsRepo;
  private readonly batchSize: number;
  private readonly maxStatements: number;
  private running: Promise<MetricsRetentionResult> | undefined;
  private stopping = false;
  private cron: Cron | undefined;

  constructor(
    private readonly deps: { store: Pick<Store, 'db'>; log: Logger },
    private readonly options: MetricsRetentionOptions,
  ) {
    this.repo = new MetricsRepo(deps.store.db);
    this.batchSize = options.batchSize ?? 5000;
    this.maxStatements = options.maxStatements ?? 200;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError(`metrics retention batch size must be a positive integer, got ${this.batchSize}`);
  }

  /** Run on the schedule from now on. */
  start(): void {
    if (this.cron) return;
    this.stopping = false;
    this.cron = new Cron(this.options.schedule ?? '*/5 * * * *', { unref: true, protect: true }, () => {
      this.runOnce().catch((error: unknown) =>
        this.deps.log.error({ err: error }, 'metrics retention run failed; it is retried on schedule'),
      );
    });
  }

  /** Run now (a run in progress is joined, never doubled). Rejects only on a store failure. */
  runOnce(): Promise<MetricsRetentionResult> {
    if (!this.running) {
      this.stopping = false;
      this.running = this.run().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  /** Cancel the schedule, interrupt a run between two statements, and wait for it. */
  async stop(): Promise<void> {
    this.cron?.stop();
    this.cron = undefined;
    this.stopping = true;
    await this.running?.catch(() => {});
  }

  private async run(): Promise<MetricsRetentionResult> {
    const now = (this.options.now ?? Date.now)();
    const result: MetricsRetentionResult = {
      deleted: { raw: 0, minute: 0, hour: 0, message_ids: 0, rate_commands: 0 },
      statements: 0,
      complete: true,
    };
    const steps: Array<{ key: keyof MetricsRetentionResult['deleted']; run: () => Promise<number> }> = [
      {
        key: 'raw',
        run: () => this.repo.deleteOlder('metric_samples', now - this.options.rawMs, this.batchSize),
      },
      {
        key: 'minute',
        run: () => this.repo.deleteOlder('metric_rollups_1m', now - this.options.minuteMs, this.batchSize),
      },
      {
        key: 'hour',
        run: () => this.repo.deleteOlder('metric_rollups_1h', now - this.options.hourMs, this.batchSize),
      },
      // Samples older than the 1-minute window are refused at ingest, so their message ids need not
      // be remembered longer: a re-sent old item is dropped either way.
      {
        key: 'message_ids',
        run: () =>
          this.repo.deleteOldMessageIds(
            'metrics.sample',
            new Date(now - this.options.minuteMs).toISOString(),
            this.batchSize,
          ),
      },
      {
        key: 'rate_commands',
        run: () =>
          this.repo.deleteOldCommands(
            'metrics.rate',
            new Date(now - RATE_COMMAND_KEEP_MS).toISOString(),
            this.batchSize,
          ),
      },
    ];
    for (const step of steps) {
      for (;;) {
        if (this.stopping || result.statements >= this.maxStatements) {
          result.complete = false;
          return this.report(result);
        }
        const n = await step.run();
        result.statements += 1;
        result.deleted[step.key] += n;
        await nextTick();
        if (n < this.batchSize) break;
      }
    }
    return this.report(result);
  }

  private report(result: MetricsRetentionResult): MetricsRetentionResult {
    const total = Object.values(result.deleted).reduce((a, b) => a + b, 0);
    if (total > 0 || !result.complete)
      this.deps.log.info(
        {
          metrics_retention: { ...result.deleted, statements: result.statements, complete: result.complete },
        },
        'metrics retention: expired rows deleted',
      );
    return result;
  }
}
