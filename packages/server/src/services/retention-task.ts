/**
 * What the retention job runs: tasks that each delete one area's expired rows in bounded
 * statements. A task reports every delete statement through its budget (so what it deleted is
 * counted even when it fails halfway) and stops when the budget says so (the job is stopping, or
 * the task's own statement budget for this run is spent; the next run continues).
 */
import { setImmediate as nextTick } from 'node:timers/promises';

/** What one run of a task may spend, and where it reports what it deleted. */
export interface RetentionBudget {
  /** The run's clock: every cut-off of the run is computed from it. */
  readonly now: Date;
  /** True when the task must stop before its next statement. */
  exhausted(): boolean;
  /** Report one executed delete statement of `rows` rows of `kind`; yields to the event loop. */
  deleted(kind: string, rows: number): Promise<void>;
}

/** One area's expiry, registered with the retention job. */
export interface RetentionTask {
  /** Unique name, in logs and results. */
  readonly name: string;
  /** Every kind of row it deletes (its labels in `vigil_retention_deleted_rows_total`, unique across tasks). */
  readonly kinds: readonly string[];
  /** Least time between two scheduled runs; the job's tick runs the task when it is due. */
  readonly everyMs: number;
  /** Statements one run may execute at most (absent: until done or stopped). */
  readonly maxStatements?: number;
  /** Whether a run that deleted something is written to the audit log (routine bookkeeping is only logged). */
  readonly audited: boolean;
  /** Whether there is anything to do (a task whose retention is off is skipped). */
  readonly enabled: boolean;
  /** Facts of a run at `now` for the audit record (cut-offs, settings). */
  auditDetail?(now: Date): Record<string, unknown>;
  /** Delete expired rows, reporting each statement through the budget. */
  run(budget: RetentionBudget): Promise<void>;
}

/** Per-run bookkeeping of one task: its budget plus what it counted. */
export class TaskBudget implements RetentionBudget {
  statements = 0;
  largestStatement = 0;
  /** Whether the task was told to stop before it was done. */
  cut = false;
  readonly deletedByKind: Record<string, number> = {};

  constructor(
    readonly now: Date,
    private readonly maxStatements: number | undefined,
    private readonly stopping: () => boolean,
    private readonly onDeleted: (kind: string, rows: number) => void = () => {},
  ) {}

  exhausted(): boolean {
    const spent = this.maxStatements !== undefined && this.statements >= this.maxStatements;
    if (spent || this.stopping()) this.cut = true;
    return this.cut;
  }

  async deleted(kind: string, rows: number): Promise<void> {
    this.statements += 1;
    this.largestStatement = Math.max(this.largestStatement, rows);
    this.deletedByKind[kind] = (this.deletedByKind[kind] ?? 0) + rows;
    this.onDeleted(kind, rows);
    await nextTick();
  }
}

/** Run one task by itself, outside the job (tests, tools); returns its budget's bookkeeping. */
export async function runTaskAlone(task: RetentionTask, now: Date = new Date()): Promise<TaskBudget> {
  const budget = new TaskBudget(now, task.maxStatements, () => false);
  for (const kind of task.kinds) budget.deletedByKind[kind] = 0;
  await task.run(budget);
  return budget;
}
