/**
 * The retention job: one scheduler for every area's expiry. Areas register tasks (retention-task.ts):
 * query results are built in; host metrics and ingest claims register theirs. The job runs every
 * task once shortly after start, then ticks (every five minutes by default) and runs the tasks that
 * are due by their own interval. Tasks run one after another, never two at once, so they never
 * compete for the store's writer; every statement deletes at most one batch and the job yields to
 * the event loop between statements. A failing task does not keep the others from running.
 * A run is counted in `/metrics`; one that deleted rows of an audited task is audited as the system.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { MetricsRegistry } from '../http/metrics.js';
import type { Store } from '../store/db.js';
import type { AuditRepo } from '../store/repos/audit.js';
import { QueryResultsRetention } from './query-results-retention.js';
import { type RetentionTask, TaskBudget } from './retention-task.js';

export { retentionCutoff } from './query-results-retention.js';
export type { RetentionBudget, RetentionTask } from './retention-task.js';

/** How long query results are kept and how the job paces itself. */
export interface RetentionOptions {
  /** Days live-query campaigns are kept; 0 keeps them forever. */
  liveDays: number;
  /** Days scheduled-query results are kept; 0 keeps them forever. */
  scheduledDays: number;
  /** Rows one statement of the query-results task deletes at most (default 1000). */
  batchSize?: number;
  /** Least time between two runs of the query-results task (default one hour). */
  resultsEveryMs?: number;
  /** Delay of the first run after start (default 60 s: let the node settle first). */
  startDelayMs?: number;
  /** Cron pattern of the job's ticks (default every five minutes). */
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

/** How one task's part of a run went. */
export interface RetentionTaskOutcome {
  outcome: 'success' | 'failure' | 'skipped';
  /** False when the task stopped before it was done (its statement budget, or the job stopping). */
  complete: boolean;
  statements: number;
  error?: string;
}

/** The outcome of one run. */
export interface RetentionRunResult {
  /** Failure when any task failed (the others still ran). */
  outcome: 'success' | 'failure';
  /** Rows deleted by kind, every registered task's kinds included. */
  deleted: Record<string, number>;
  /** Delete statements executed. */
  statements: number;
  /** The most rows any single delete statement removed (never above the batch size). */
  largestStatement: number;
  /** Whether the run ended early because the job was stopped. */
  interrupted: boolean;
  durationMs: number;
  tasks: Record<string, RetentionTaskOutcome>;
  error?: string;
}

/** A task runs at a tick when its interval has passed, give or take this much (ticks are not exact). */
const TICK_SLACK_MS = 30_000;

/** Deletes expired rows of every registered area on one schedule. */
export class RetentionService {
  private readonly tasks: RetentionTask[] = [];
  private readonly lastRun = new Map<string, number>();
  private cron: Cron | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionRunResult> | undefined;
  private stopping = false;

  constructor(
    private readonly deps: RetentionDeps,
    private readonly options: RetentionOptions,
  ) {
    this.register(
      new QueryResultsRetention(deps.store, {
        liveDays: options.liveDays,
        scheduledDays: options.scheduledDays,
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        ...(options.resultsEveryMs !== undefined ? { everyMs: options.resultsEveryMs } : {}),
      }),
    );
  }

  /** Add a task (before start). Its kinds show in `/metrics` from now on, at zero until it deletes. */
  register(task: RetentionTask): void {
    if (this.tasks.some((t) => t.name === task.name))
      throw new Error(`retention task ${task.name} is registered twice`);
    const taken = new Set(this.tasks.flatMap((t) => t.kinds));
    const clash = task.kinds.find((k) => taken.has(k));
    if (clash) throw new Error(`retention kind ${clash} of task ${task.name} belongs to another task`);
    this.tasks.push(task);
    for (const kind of task.kinds) this.deps.metrics.retentionDeletedRows.inc({ kind }, 0);
  }

  /** The registered tasks, in the order they run. */
  get registered(): readonly RetentionTask[] {
    return this.tasks;
  }

  /** Whether any task has work to do (with none, nothing is scheduled). */
  get enabled(): boolean {
    return this.tasks.some((t) => t.enabled);
  }

  /** Whether a run is scheduled (a start timer or the ticks). */
  get scheduled(): boolean {
    return this.startTimer !== undefined || this.cron !== undefined;
  }

  /** Run every task shortly after now, then tick; does nothing when no task is enabled. */
  start(): void {
    if (!this.enabled || this.scheduled) return;
    this.stopping = false;
    // Unreferenced: a pending retention run never keeps the process alive on its own.
    this.startTimer = setTimeout(() => {
      this.startTimer = undefined;
      void this.runOnce();
    }, this.options.startDelayMs ?? 60_000);
    this.startTimer.unref();
    this.cron = new Cron(this.options.schedule ?? '*/5 * * * *', { unref: true, protect: true }, () => {
      if (!this.running) this.running = this.track(this.run(this.tasks.filter((t) => this.due(t))));
    });
  }

  /** Cancel the schedule, interrupt a run in progress between two statements, and wait for it to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
    this.cron?.stop();
    this.cron = undefined;
    await this.running;
  }

  /** Run every enabled task now (a run already in progress is joined, never doubled). Never rejects. */
  runOnce(): Promise<RetentionRunResult> {
    if (!this.running) this.running = this.track(this.run(this.tasks));
    return this.running;
  }

  private track(run: Promise<RetentionRunResult>): Promise<RetentionRunResult> {
    return run.finally(() => {
      this.running = undefined;
    });
  }

  private due(task: RetentionTask): boolean {
    const last = this.lastRun.get(task.name);
    return last === undefined || Date.now() - last + TICK_SLACK_MS >= task.everyMs;
  }

  private async run(selected: RetentionTask[]): Promise<RetentionRunResult> {
    const startedAt = Date.now();
    const now = (this.options.now ?? (() => new Date()))();
    const result: RetentionRunResult = {
      outcome: 'success',
      deleted: Object.fromEntries(this.tasks.flatMap((t) => t.kinds.map((k) => [k, 0]))),
      statements: 0,
      largestStatement: 0,
      interrupted: false,
      durationMs: 0,
      tasks: {},
    };
    const errors: string[] = [];
    for (const task of this.tasks) {
      if (!selected.includes(task) || !task.enabled || this.stopping) {
        result.tasks[task.name] = { outcome: 'skipped', complete: false, statements: 0 };
        continue;
      }
      this.lastRun.set(task.name, Date.now());
      const budget = new TaskBudget(
        now,
        task.maxStatements,
        () => this.stopping,
        (kind, rows) => {
          result.deleted[kind] = (result.deleted[kind] ?? 0) + rows;
          if (rows > 0) this.deps.metrics.retentionDeletedRows.inc({ kind }, rows);
        },
      );
      const outcome: RetentionTaskOutcome = { outcome: 'success', complete: true, statements: 0 };
      try {
        await task.run(budget);
      } catch (error) {
        outcome.outcome = 'failure';
        outcome.error = error instanceof Error ? error.message : String(error);
        errors.push(`${task.name}: ${outcome.error}`);
        this.deps.log.error(
          { err: error, task: task.name },
          `retention task ${task.name} failed; rows it deleted so far stay deleted`,
        );
      }
      outcome.complete = outcome.outcome === 'success' && !budget.cut;
      outcome.statements = budget.statements;
      result.tasks[task.name] = outcome;
      result.statements += budget.statements;
      result.largestStatement = Math.max(result.largestStatement, budget.largestStatement);
    }
    if (errors.length > 0) {
      result.outcome = 'failure';
      result.error = errors.join('; ');
    }
    result.interrupted = this.stopping;
    result.durationMs = Date.now() - startedAt;
    this.deps.metrics.retentionRuns.inc({ outcome: result.outcome });
    await this.audit(result, now);
    this.report(result);
    return result;
  }

  /** One log line per run that did something, with every kind's count. */
  private report(result: RetentionRunResult): void {
    const ran = Object.entries(result.tasks).filter(([, t]) => t.outcome !== 'skipped');
    if (ran.length === 0) return;
    const counts = Object.entries(result.deleted)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`);
    const unfinished = ran.filter(([, t]) => t.outcome === 'success' && !t.complete).map(([name]) => name);
    this.deps.log.info(
      {
        retention: {
          ...result.deleted,
          tasks: ran.map(([name]) => name),
          statements: result.statements,
          ms: result.durationMs,
          outcome: result.outcome,
        },
      },
      `retention: deleted ${counts.length ? counts.join(', ') : 'nothing'} in ${result.durationMs} ms` +
        (result.interrupted ? ' (stopped early)' : '') +
        (unfinished.length && !result.interrupted ? ` (${unfinished.join(', ')} continue next run)` : ''),
    );
  }

  /** Audit the run when an audited task deleted something (or failed after deleting). */
  private async audit(result: RetentionRunResult, now: Date): Promise<void> {
    const audited = this.tasks.filter((t) => t.audited && result.tasks[t.name]?.outcome !== 'skipped');
    const counts = Object.fromEntries(
      audited.flatMap((t) => t.kinds.map((k) => [k, result.deleted[k] ?? 0])),
    );
    if (Object.values(counts).every((n) => n === 0)) return;
    const failed = audited.filter((t) => result.tasks[t.name]?.outcome === 'failure');
    try {
      await this.deps.audit.append({
        account_id: null,
        actor: 'system',
        actor_name: 'retention job',
        action: 'retention.purge',
        target: null,
        source_ip: null,
        outcome: failed.length > 0 ? 'failure' : 'success',
        detail: {
          ...counts,
          ...Object.assign({}, ...audited.map((t) => t.auditDetail?.(now) ?? {})),
          ...(failed.length > 0
            ? { error: failed.map((t) => `${t.name}: ${result.tasks[t.name]?.error}`).join('; ') }
            : {}),
        },
      });
    } catch (error) {
      this.deps.log.error({ err: error }, 'retention: recording the audit entry failed');
    }
  }
}
