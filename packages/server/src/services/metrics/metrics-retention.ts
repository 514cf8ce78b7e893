/**
 * Metrics retention: deletes raw samples older than the raw window, 1-minute roll-ups older than
 * theirs, 1-hour roll-ups older than theirs, and the bookkeeping metrics leave behind (ingested
 * message ids, rate commands). A task of the shared retention job (retention-service.ts), due
 * every 5 minutes by default so raw samples never outlive their hour by more than that. Every
 * statement deletes at most one batch; a run stops after a bounded number of statements and the
 * next run continues, so a backlog never holds the store or the event loop for long.
 *
 * Routine expiry is logged and counted in `/metrics`, not audited: it runs every few minutes by
 * policy, changes nothing anyone asked for, and would drown the audit log.
 */
import type { Store } from '../../store/db.js';
import { AgentMessagesRepo } from '../../store/repos/agent-messages.js';
import { MetricsRepo } from '../../store/repos/metrics.js';
import { type RetentionBudget, type RetentionTask, runTaskAlone } from '../retention-task.js';
import type { MetricsRetentionWindows } from './ingest-samples.js';

/** Options of the task. */
export interface MetricsRetentionOptions extends MetricsRetentionWindows {
  /** Rows one statement deletes at most (default 5000). */
  batchSize?: number;
  /** Statements one run executes at most (default 200); the rest waits for the next run. */
  maxStatements?: number;
  /** Least time between two scheduled runs (default 5 minutes). */
  everyMs?: number;
  /** The clock (tests); the job's clock otherwise. */
  now?: () => number;
}

/** What one run deleted. */
export interface MetricsRetentionResult {
  deleted: { raw: number; minute: number; hour: number; message_ids: number; rate_commands: number };
  statements: number;
  /** False when the run hit its statement budget with rows still to delete. */
  complete: boolean;
}

/** The retention kinds of this task (labels of `vigil_retention_deleted_rows_total`) by result key. */
export const METRICS_RETENTION_KINDS = {
  raw: 'metrics_raw_samples',
  minute: 'metrics_rollups_1m',
  hour: 'metrics_rollups_1h',
  message_ids: 'metrics_message_claims',
  rate_commands: 'metrics_rate_commands',
} as const;

/** Rate commands are useless minutes after they were sent; a day keeps them for troubleshooting. */
const RATE_COMMAND_KEEP_MS = 24 * 3_600_000;

/** Deletes expired metrics in bounded batches. */
export class MetricsRetention implements RetentionTask {
  readonly name = 'metrics';
  readonly kinds = Object.values(METRICS_RETENTION_KINDS);
  readonly audited = false;
  readonly enabled = true;
  readonly everyMs: number;
  readonly maxStatements: number;
  private readonly repo: MetricsRepo;
  private readonly claims: AgentMessagesRepo;
  private readonly batchSize: number;
  private alone: Promise<MetricsRetentionResult> | undefined;

  constructor(
    deps: { store: Pick<Store, 'db'> },
    private readonly options: MetricsRetentionOptions,
  ) {
    this.repo = new MetricsRepo(deps.store.db);
    this.claims = new AgentMessagesRepo(deps.store.db);
    this.batchSize = options.batchSize ?? 5000;
    this.maxStatements = options.maxStatements ?? 200;
    this.everyMs = options.everyMs ?? 5 * 60_000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError(`metrics retention batch size must be a positive integer, got ${this.batchSize}`);
  }

  /** Run now by itself, outside the shared job (tests; a run in progress is joined). Rejects on a store failure. */
  runOnce(): Promise<MetricsRetentionResult> {
    if (!this.alone) {
      const now = new Date(this.options.now?.() ?? Date.now());
      this.alone = runTaskAlone(this, now)
        .then((budget) => ({
          deleted: {
            raw: budget.deletedByKind[METRICS_RETENTION_KINDS.raw] ?? 0,
            minute: budget.deletedByKind[METRICS_RETENTION_KINDS.minute] ?? 0,
            hour: budget.deletedByKind[METRICS_RETENTION_KINDS.hour] ?? 0,
            message_ids: budget.deletedByKind[METRICS_RETENTION_KINDS.message_ids] ?? 0,
            rate_commands: budget.deletedByKind[METRICS_RETENTION_KINDS.rate_commands] ?? 0,
          },
          statements: budget.statements,
          complete: !budget.cut,
        }))
        .finally(() => {
          this.alone = undefined;
        });
    }
    return this.alone;
  }

  /** Each tier, then the bookkeeping, each in batches until a short one, within the budget. */
  async run(budget: RetentionBudget): Promise<void> {
    const now = this.options.now?.() ?? budget.now.getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    const steps: Array<{ kind: string; run: () => Promise<number> }> = [
      {
        kind: METRICS_RETENTION_KINDS.raw,
        run: () => this.repo.deleteOlder('metric_samples', now - this.options.rawMs, this.batchSize),
      },
      {
        kind: METRICS_RETENTION_KINDS.minute,
        run: () => this.repo.deleteOlder('metric_rollups_1m', now - this.options.minuteMs, this.batchSize),
      },
      {
        kind: METRICS_RETENTION_KINDS.hour,
        run: () => this.repo.deleteOlder('metric_rollups_1h', now - this.options.hourMs, this.batchSize),
      },
      // Samples older than the 1-minute window are refused at ingest, so their message ids need not
      // be remembered longer: a re-sent old item is dropped either way.
      {
        kind: METRICS_RETENTION_KINDS.message_ids,
        run: () =>
          this.claims.pruneClaims({
            kind: 'metrics.sample',
            before: iso(now - this.options.minuteMs),
            limit: this.batchSize,
          }),
      },
      {
        kind: METRICS_RETENTION_KINDS.rate_commands,
        run: () =>
          this.repo.deleteOldCommands('metrics.rate', iso(now - RATE_COMMAND_KEEP_MS), this.batchSize),
      },
    ];
    for (const step of steps) {
      for (;;) {
        if (budget.exhausted()) return;
        const n = await step.run();
        await budget.deleted(step.kind, n);
        if (n < this.batchSize) break;
      }
    }
  }
}
