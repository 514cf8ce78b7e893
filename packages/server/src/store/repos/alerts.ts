/**
 * Alerts: one row per (rule, key) occurrence window; repeats inside the window are coalesced into
 * its count. The alert service decides; this file only holds the SQL.
 */
import { SEVERITIES, type SeverityT } from '@vigil/protocol';
import { type Kysely, type Selectable, type SqlBool, sql, type Updateable } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { AlertsTable, Database } from '../schema.js';
import { escapeLike } from './devices.js';

export type AlertRow = Selectable<AlertsTable>;
/** An alert row with the hostname of its device (null when it has none or it was deleted). */
export type AlertWithHost = AlertRow & { hostname: string | null };

/** Filters of the inbox. */
export interface AlertFilter {
  severity?: SeverityT;
  min_severity?: SeverityT;
  status?: string;
  device_id?: string;
  group_id?: string;
  rule?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
}

/** A `*` pattern as a LIKE pattern (escape char `\`). */
export function likeOfRulePattern(pattern: string): string {
  return escapeLike(pattern).replaceAll('*', '%');
}

/** SQL for alerts. */
export class AlertsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** The newest not-resolved alert of (rule, key) last seen at or after `since`. */
  async findCoalescible(
    accountId: string,
    rule: string,
    key: string,
    since: string,
  ): Promise<AlertRow | undefined> {
    return this.db
      .selectFrom('alerts')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('coalesce_key', '=', key)
      .where('rule', '=', rule)
      .where('status', '!=', 'resolved')
      .where('last_seen', '>=', since)
      .orderBy('last_seen', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** The newest alert (in any status) of (rule, key), if there is one. */
  async latest(accountId: string, rule: string, key: string): Promise<AlertRow | undefined> {
    return this.db
      .selectFrom('alerts')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('coalesce_key', '=', key)
      .where('rule', '=', rule)
      .orderBy('last_seen', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Insert a new alert. */
  async insert(row: AlertRow): Promise<void> {
    await this.db.insertInto('alerts').values(row).execute();
  }

  /** Change an alert. */
  async update(id: string, patch: Updateable<AlertsTable>): Promise<void> {
    await this.db.updateTable('alerts').set(patch).where('id', '=', id).execute();
  }

  /**
   * Change an alert only if it is still in one of `from` (a concurrent change wins once);
   * returns whether it changed.
   */
  async transition(id: string, from: string[], patch: Updateable<AlertsTable>): Promise<boolean> {
    const r = await this.db
      .updateTable('alerts')
      .set(patch)
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** One alert of an account with its device's hostname. */
  async byId(accountId: string, id: string): Promise<AlertWithHost | undefined> {
    return this.db
      .selectFrom('alerts')
      .leftJoin('devices', 'devices.id', 'alerts.device_id')
      .selectAll('alerts')
      .select('devices.hostname')
      .where('alerts.account_id', '=', accountId)
      .where('alerts.id', '=', id)
      .executeTakeFirst();
  }

  /** Alerts of an account by id (any order), with hostnames. */
  async byIds(accountId: string, ids: string[]): Promise<AlertWithHost[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('alerts')
      .leftJoin('devices', 'devices.id', 'alerts.device_id')
      .selectAll('alerts')
      .select('devices.hostname')
      .where('alerts.account_id', '=', accountId)
      .where('alerts.id', 'in', ids)
      .execute();
  }

  /** Not-resolved alerts of a rule on a device (for automatic resolution). */
  async unresolvedOf(accountId: string, rule: string, deviceId: string, key?: string): Promise<AlertRow[]> {
    let q = this.db
      .selectFrom('alerts')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('rule', '=', rule)
      .where('device_id', '=', deviceId)
      .where('status', '!=', 'resolved');
    if (key !== undefined) q = q.where('coalesce_key', '=', key);
    return q.execute();
  }

  /** One page of the inbox, newest activity first. */
  async page(
    accountId: string,
    f: AlertFilter,
  ): Promise<{ items: AlertWithHost[]; next_cursor: string | null }> {
    let q = this.db
      .selectFrom('alerts')
      .leftJoin('devices', 'devices.id', 'alerts.device_id')
      .selectAll('alerts')
      .select('devices.hostname')
      .where('alerts.account_id', '=', accountId);
    if (f.severity) q = q.where('alerts.severity', '=', f.severity);
    if (f.min_severity)
      q = q.where('alerts.severity', 'in', SEVERITIES.slice(SEVERITIES.indexOf(f.min_severity)));
    if (f.status) q = q.where('alerts.status', '=', f.status);
    if (f.device_id) q = q.where('alerts.device_id', '=', f.device_id);
    if (f.group_id) {
      const groupId = f.group_id;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('group_members')
            .select('group_members.device_id')
            .whereRef('group_members.device_id', '=', 'alerts.device_id')
            .where('group_members.group_id', '=', groupId),
        ),
      );
    }
    if (f.rule) {
      q = f.rule.includes('*')
        ? q.where(sql<SqlBool>`alerts.rule like ${likeOfRulePattern(f.rule)} escape '\\'`)
        : q.where('alerts.rule', '=', f.rule);
    }
    // An alert belongs to a time range when it was active in it.
    if (f.since) q = q.where('alerts.last_seen', '>=', f.since);
    if (f.until) q = q.where('alerts.first_seen', '<', f.until);
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      const at = c.sortValue ?? '';
      q = q.where((eb) =>
        eb.or([
          eb('alerts.last_seen', '<', at),
          eb.and([eb('alerts.last_seen', '=', at), eb('alerts.id', '<', c.id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('alerts.last_seen', 'desc')
      .orderBy('alerts.id', 'desc')
      .limit(f.limit + 1)
      .execute();
    const items = rows.slice(0, f.limit);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor: rows.length > f.limit && last ? encodeCursor(last.last_seen, last.id) : null,
    };
  }

  /** Alerts of an account, optionally of one device or rule, newest first (tests and tools). */
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
