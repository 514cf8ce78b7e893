/** The append-only audit log. */
import type { Kysely, Selectable } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { newId, nowIso } from '../ids.js';
import type { AuditLogTable, Database } from '../schema.js';

export type AuditRow = Selectable<AuditLogTable>;

/** One audit record as the services write it. */
export interface AuditRecord {
  account_id: string | null;
  actor: string;
  actor_name: string;
  action: string;
  target: string | null;
  source_ip: string | null;
  outcome: 'success' | 'failure';
  detail: Record<string, unknown>;
}

/** Filters for reading the log. */
export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  outcome?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

/** SQL for the audit log. */
export class AuditRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Append a record. */
  async append(record: AuditRecord): Promise<AuditRow> {
    const row: AuditRow = { id: newId(), at: nowIso(), ...record, detail: JSON.stringify(record.detail) };
    await this.db.insertInto('audit_log').values(row).execute();
    return row;
  }

  /** Newest first, filtered, one page. `action` may end in % for a prefix match. */
  async list(accountId: string, f: AuditFilter): Promise<{ items: AuditRow[]; next_cursor: string | null }> {
    let q = this.db.selectFrom('audit_log').selectAll().where('account_id', '=', accountId);
    if (f.actor) q = q.where('actor', '=', f.actor);
    if (f.action)
      q = f.action.endsWith('%') ? q.where('action', 'like', f.action) : q.where('action', '=', f.action);
    if (f.target) q = q.where('target', '=', f.target);
    if (f.outcome) q = q.where('outcome', '=', f.outcome);
    if (f.since) q = q.where('at', '>=', f.since);
    if (f.until) q = q.where('at', '<', f.until);
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      const at = c.sortValue ?? '';
      q = q.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', c.id)])]));
    }
    const rows = await q
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .execute();
    const items = rows.slice(0, f.limit);
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > f.limit && last ? encodeCursor(last.at, last.id) : null };
  }
}
