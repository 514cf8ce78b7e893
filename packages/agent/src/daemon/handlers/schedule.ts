/**
 * schedule.set: scheduled queries that run on the agent (so they run while the server is
 * unreachable). Snapshot mode reports all rows; differential mode reports the rows added and
 * removed since the previous run, computed here against the last run kept in the state dir.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScheduledQueryT } from '@vigil/protocol';
import { scheduleDigest, validators } from '@vigil/protocol/agent-runtime';
import { Cron } from 'croner';
import type { QueryRunner } from '../../sql/query-runner.js';
import type { Dispatcher, Log } from '../dispatch.js';
import type { Outbox } from '../outbox.js';
import { rowsToArrays } from './query.js';

/** Rows added and removed between two runs (as JSON-encoded row keys). */
export function diffRows(
  previous: unknown[][],
  current: unknown[][],
): { added: unknown[][]; removed: unknown[][] } {
  const key = (r: unknown[]) => JSON.stringify(r);
  const before = new Set(previous.map(key));
  const after = new Set(current.map(key));
  return {
    added: current.filter((r) => !before.has(key(r))),
    removed: previous.filter((r) => !after.has(key(r))),
  };
}

/** Runs the pushed schedule. */
export class Scheduler {
  private timers: Array<{ stop(): void }> = [];
  private last: Record<string, unknown[][]>;
  private digest: string;

  constructor(
    private readonly stateDir: string,
    private readonly runner: () => QueryRunner,
    private readonly outbox: Outbox,
    private readonly log: Log,
  ) {
    this.last = this.read('schedule-state.json', {});
    const queries = this.read<ScheduledQueryT[]>('schedule.json', []);
    this.digest = scheduleDigest(queries);
    this.apply(queries);
  }

  private read<T>(name: string, fallback: T): T {
    const path = join(this.stateDir, name);
    try {
      return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : fallback;
    } catch {
      return fallback;
    }
  }

  /** The digest of the schedule this agent holds (reported on connect; an unchanged one is not re-sent). */
  heldDigest(): string {
    return this.digest;
  }

  /** Replace the schedule (persisted, so it survives restarts). */
  replace(queries: ScheduledQueryT[]): void {
    writeFileSync(join(this.stateDir, 'schedule.json'), JSON.stringify(queries), { mode: 0o600 });
    this.digest = scheduleDigest(queries);
    const ids = new Set(queries.map((q) => q.id));
    for (const id of Object.keys(this.last)) if (!ids.has(id)) delete this.last[id];
    this.apply(queries);
  }

  private apply(queries: ScheduledQueryT[]): void {
    this.stop();
    for (const q of queries) {
      if (q.cron) {
        const job = new Cron(q.cron, () => void this.run(q));
        this.timers.push({ stop: () => job.stop() });
      } else if (q.interval_s) {
        const t = setInterval(() => void this.run(q), q.interval_s * 1000);
        t.unref();
        this.timers.push({ stop: () => clearInterval(t) });
      }
    }
  }

  /** Run one scheduled query now and report its result. */
  async run(q: ScheduledQueryT): Promise<void> {
    const at = Date.now();
    try {
      const r = await this.runner().run(q.sql, { timeoutMs: 60_000, maxRows: 100_000 });
      const rows = rowsToArrays(r.columns, r.rows as Array<Record<string, unknown>>);
      if (q.mode === 'differential') {
        const { added, removed } = diffRows(this.last[q.id] ?? [], rows);
        this.last[q.id] = rows;
        writeFileSync(join(this.stateDir, 'schedule-state.json'), JSON.stringify(this.last), { mode: 0o600 });
        if (added.length || removed.length)
          this.outbox.enqueue('query.scheduled', {
            query_id: q.id,
            at,
            mode: 'differential',
            columns: r.columns,
            added,
            removed,
          });
      } else
        this.outbox.enqueue('query.scheduled', {
          query_id: q.id,
          at,
          mode: 'snapshot',
          columns: r.columns,
          rows,
        });
    } catch (error) {
      const e = error as { code?: string; message?: string };
      this.log.warn({ query: q.name, err: e.message }, 'scheduled query failed');
      this.outbox.enqueue('query.scheduled', {
        query_id: q.id,
        at,
        mode: q.mode,
        columns: [],
        error: { code: e.code ?? 'E_INTERNAL', message: (e.message ?? '').slice(0, 4000) },
      });
    }
  }

  /** Stop every timer. */
  stop(): void {
    for (const t of this.timers) t.stop();
    this.timers = [];
  }
}

/** Register schedule.set. */
export function registerScheduleHandler(d: Dispatcher, scheduler: Scheduler): void {
  d.register('schedule.set', {
    validator: validators.ScheduleSetBody,
    run: (body) => {
      const queries = (body as { queries: ScheduledQueryT[] }).queries;
      scheduler.replace(queries);
      return { queries: queries.length };
    },
  });
}
