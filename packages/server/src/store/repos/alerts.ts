/** Alerts: one row per open (rule, key); repeats within the open alert are coalesced into its count. */
import type { Kysely, Selectable } from 'kysely';
import { newId, nowIso } from '../ids.js';
import type { AlertsTable, Database } from '../schema.js';

export type AlertRow = Selectable<AlertsTable>;

/** A new alert occurrence. */
export interface AlertInput {
  account_id: string;
  device_id: string | null;
  rule: string;
  severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  title: string;
  coalesce_key: string;
  context: Record<string, unknown>;
}

/** SQL for alerts. */
export class AlertsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Raise an alert, or bump the open one with the same coalescing key. */
  async raise(input: AlertInput, now: Date = new Date()): Promise<AlertRow> {
    // Inside an ingest transaction the repo is built over that transaction; Kysely cannot nest them.
    const run = <T>(fn: (trx: Kysely<Database>) => Promise<T>) =>
      this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
    return run(async (trx) => {
      const open = await trx
        .selectFrom('alerts')
        .selectAll()
        .where('account_id', '=', input.account_id)
        .where('coalesce_key', '=', input.coalesce_key)
        .where('status', '=', 'open')
        .executeTakeFirst();
      const at = nowIso(now);
      if (open) {
        await trx
          .updateTable('alerts')
          .set({ count: open.count + 1, last_seen: at, context: JSON.stringify(input.context) })
          .where('id', '=', open.id)
          .execute();
        return { ...open, count: open.count + 1, last_seen: at, context: JSON.stringify(input.context) };
      }
      const row: AlertRow = {
        id: newId(),
        ...input,
        status: 'open',
        count: 1,
        first_seen: at,
        last_seen: at,
        context: JSON.stringify(input.context),
      };
      await trx.insertInto('alerts').values(row).execute();
      return row;
    });
  }

  /** Alerts of an account, optionally of one device or rule, newest first. */
  async list(
    accountId: string,
    f: { device_id?: string; rule?: string; limit?: number } = {},
  ): Promise<AlertRow[]> {
    let q = this.db.selectFrom('alerts').selectAll().where('account_id', '=', accountId);
    if (f.device_id) q = q.where('device_id', '=', f.device_id);
    if (f.rule) q = q.where('rule', '=', f.rule);
    return q
      .orderBy('last_seen', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit ?? 100)
      .execute();
  }
}
