/**
 * Routing: which routes a new alert goes to (minimum severity, rule pattern, group), queued in
 * the same transaction as the alert so that a stored alert is never left without its messages.
 */
import type { Kysely } from 'kysely';
import { newId, nowIso } from '../../store/ids.js';
import type { AlertRow } from '../../store/repos/alerts.js';
import { type DeliveryRow, NotificationDeliveriesRepo } from '../../store/repos/notification-deliveries.js';
import { NotificationRoutesRepo, type RouteRow } from '../../store/repos/notification-routes.js';
import type { Database } from '../../store/schema.js';
import { ruleMatches, severityRank } from '../alerts/rule-pattern.js';

/** Whether a route wants an alert, group membership aside. */
export function routeWants(route: RouteRow, alert: Pick<AlertRow, 'rule' | 'severity'>): boolean {
  return (
    route.enabled === 1 &&
    severityRank(alert.severity) >= severityRank(route.min_severity) &&
    ruleMatches(route.rule_pattern, alert.rule)
  );
}

/** Queue one delivery per matching route; returns how many were queued. */
export async function enqueueNotifications(
  trx: Kysely<Database>,
  alert: AlertRow,
  now: Date,
): Promise<number> {
  const routes = (await new NotificationRoutesRepo(trx).enabled(alert.account_id)).filter((r) =>
    routeWants(r, alert),
  );
  if (routes.length === 0) return 0;
  let groups = new Set<string>();
  if (routes.some((r) => r.group_id) && alert.device_id) {
    const rows = await trx
      .selectFrom('group_members')
      .select('group_id')
      .where('device_id', '=', alert.device_id)
      .execute();
    groups = new Set(rows.map((r) => r.group_id));
  }
  const at = nowIso(now);
  const rows: DeliveryRow[] = routes
    .filter((r) => !r.group_id || groups.has(r.group_id))
    .map((r) => ({
      id: newId(),
      account_id: alert.account_id,
      route_id: r.id,
      route_name: r.name,
      kind: 'alert',
      alert_ids: JSON.stringify([alert.id]),
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
      lease_until: null,
      first_attempt_at: null,
      last_error: null,
      digest_id: null,
      created_at: at,
      sent_at: null,
    }));
  await new NotificationDeliveriesRepo(trx).insert(rows);
  return rows.length;
}
