/**
 * The idempotency store of executed actions (SQLite in the agent's state dir): a command id is
 * recorded before its action starts and its result when it ends, so a re-delivered command gets
 * the stored result instead of running twice — across restarts — and a run the agent died during
 * is reported as interrupted instead of being repeated. It also remembers whether each result
 * reached the outbox, so a crash between the two does not lose it.
 */
import { join } from 'node:path';
import type { ActionResultBodyT } from '@vigil/protocol';
import Database from 'better-sqlite3';

/** How long executed command ids are kept (longer than any command can stay valid). */
const KEEP_MS = 30 * 24 * 3600_000;

/** What the store knows about one command id. */
export type StoredRun =
  | { state: 'unknown' }
  | { state: 'started'; runId: string; action: string; startedAt: number; dryRun: boolean }
  | { state: 'finished'; result: ActionResultBodyT };

/** One agent's record of executed action commands. */
export class ActionStore {
  private readonly db: Database.Database;
  /** Runs in progress in this process, so a concurrent duplicate waits for the same result. */
  readonly inFlight = new Map<string, Promise<ActionResultBodyT>>();

  constructor(stateDir: string) {
    this.db = new Database(join(stateDir, 'actions.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS executed (
        command_id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        action TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        dry_run INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        reported INTEGER NOT NULL DEFAULT 0
      );
    `);
    this.db
      .prepare('DELETE FROM executed WHERE started_at < ? AND result IS NOT NULL')
      .run(Date.now() - KEEP_MS);
  }

  /** The state of a command id. */
  get(commandId: string): StoredRun {
    const row = this.db
      .prepare('SELECT run_id, action, started_at, dry_run, result FROM executed WHERE command_id = ?')
      .get(commandId) as
      | { run_id: string; action: string; started_at: number; dry_run: number; result: string | null }
      | undefined;
    if (!row) return { state: 'unknown' };
    if (row.result === null)
      return {
        state: 'started',
        runId: row.run_id,
        action: row.action,
        startedAt: row.started_at,
        dryRun: row.dry_run === 1,
      };
    return { state: 'finished', result: JSON.parse(row.result) as ActionResultBodyT };
  }

  /** Record, durably, that a command's action is about to run. */
  begin(commandId: string, runId: string, action: string, startedAt: number, dryRun = false): void {
    this.db
      .prepare(
        'INSERT INTO executed (command_id, run_id, action, started_at, dry_run) VALUES (?, ?, ?, ?, ?)',
      )
      .run(commandId, runId, action, startedAt, dryRun ? 1 : 0);
  }

  /** Record a command's result (also for commands refused before they began). */
  finish(result: ActionResultBodyT): void {
    this.db
      .prepare(
        `INSERT INTO executed (command_id, run_id, action, started_at, result) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(command_id) DO UPDATE SET result = excluded.result`,
      )
      .run(result.command_id, result.run_id, result.action, result.started_at, JSON.stringify(result));
  }

  /** Mark a result as handed to the outbox. */
  markReported(commandId: string): void {
    this.db.prepare('UPDATE executed SET reported = 1 WHERE command_id = ?').run(commandId);
  }

  /** Runs that began but never finished (the agent stopped or crashed during them). */
  unfinished(): Array<{
    commandId: string;
    runId: string;
    action: string;
    startedAt: number;
    dryRun: boolean;
  }> {
    return (
      this.db
        .prepare('SELECT command_id, run_id, action, started_at, dry_run FROM executed WHERE result IS NULL')
        .all() as Array<{
        command_id: string;
        run_id: string;
        action: string;
        started_at: number;
        dry_run: number;
      }>
    ).map((r) => ({
      commandId: r.command_id,
      runId: r.run_id,
      action: r.action,
      startedAt: r.started_at,
      dryRun: r.dry_run === 1,
    }));
  }

  /** Finished results not yet handed to the outbox. */
  unreported(): ActionResultBodyT[] {
    return (
      this.db
        .prepare('SELECT result FROM executed WHERE result IS NOT NULL AND reported = 0 ORDER BY started_at')
        .all() as Array<{ result: string }>
    ).map((r) => JSON.parse(r.result) as ActionResultBodyT);
  }

  /** Close the database. */
  close(): void {
    this.db.close();
  }
}
