/**
 * What a notification says, independent of the channel: one alert with its full context, a
 * digest of many, or a test. Built at send time, so it carries the alert's latest count.
 */
import { hostname } from 'node:os';
import type { AlertSummaryT, AlertT } from '@vigil/protocol';
import type { Kysely } from 'kysely';
import { AlertsRepo } from '../../store/repos/alerts.js';
import type { DeliveryRow } from '../../store/repos/notification-deliveries.js';
import type { Database } from '../../store/schema.js';
import { alertDetail, alertSummary } from '../alerts/alert-dto.js';
import { severityRank } from '../alerts/rule-pattern.js';

/** A digest lists at most this many alerts; the rest are counted. */
export const DIGEST_LIST_MAX = 100;

/** A channel-independent notification. */
export interface NotificationMessage {
  kind: 'alert' | 'digest' | 'test';
  delivery_id: string;
  sent_at: string;
  route: { id: string; name: string };
  /** The server that sends it (syslog HOSTNAME, e-mail footer). */
  server: string;
  /** kind alert: the alert with its context. */
  alert?: AlertT;
  /** kind digest: the alerts, most severe first, at most DIGEST_LIST_MAX. */
  alerts: AlertSummaryT[];
  /** kind digest: how many alerts the digest covers. */
  total: number;
  by_severity: Record<string, number>;
}

/** Build the message of a delivery (alerts read from the store now). */
export async function buildMessage(
  db: Kysely<Database>,
  d: Pick<DeliveryRow, 'id' | 'kind' | 'account_id' | 'alert_ids' | 'route_id' | 'route_name'>,
  now: Date,
): Promise<NotificationMessage> {
  const ids = JSON.parse(d.alert_ids) as string[];
  const rows = await new AlertsRepo(db).byIds(d.account_id, ids);
  const base = {
    kind: d.kind as NotificationMessage['kind'],
    delivery_id: d.id,
    sent_at: now.toISOString(),
    route: { id: d.route_id, name: d.route_name },
    server: hostname(),
  };
  if (d.kind === 'alert') {
    const row = rows[0];
    if (!row) throw new Error(`alert ${ids[0]} of delivery ${d.id} no longer exists`);
    const alert = alertDetail(row);
    return { ...base, alert, alerts: [alertSummary(row)], total: 1, by_severity: { [alert.severity]: 1 } };
  }
  const summaries = rows
    .map(alertSummary)
    .sort(
      (a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.last_seen < b.last_seen ? 1 : -1),
    );
  const bySeverity: Record<string, number> = {};
  for (const a of summaries) bySeverity[a.severity] = (bySeverity[a.severity] ?? 0) + 1;
  return {
    ...base,
    alerts: summaries.slice(0, DIGEST_LIST_MAX),
    total: summaries.length,
    by_severity: bySeverity,
  };
}

/** A test message for a route. */
export function testMessage(
  deliveryId: string,
  route: { id: string; name: string },
  now: Date,
): NotificationMessage {
  return {
    kind: 'test',
    delivery_id: deliveryId,
    sent_at: now.toISOString(),
    route,
    server: hostname(),
    alerts: [],
    total: 0,
    by_severity: {},
  };
}

/** One line for an alert: `[HIGH] title — host (rule, 3×)`. */
export function alertLine(a: AlertSummaryT): string {
  const where = a.device ? ` — ${a.device.hostname}` : '';
  const times = a.count > 1 ? `, ${a.count}×` : '';
  return `[${a.severity.toUpperCase()}] ${a.title}${where} (${a.rule}${times})`;
}

/** A subject line for the message. */
export function subjectOf(m: NotificationMessage): string {
  if (m.kind === 'test') return `[Vigil] Test notification for route ${m.route.name}`;
  if (m.kind === 'alert' && m.alert) return `[Vigil] ${m.alert.severity.toUpperCase()}: ${m.alert.title}`;
  return `[Vigil] Digest: ${m.total} alert${m.total === 1 ? '' : 's'} (${severitySummary(m.by_severity)})`;
}

/** "2 critical, 5 high". */
export function severitySummary(by: Record<string, number>): string {
  return Object.entries(by)
    .sort((a, b) => severityRank(b[0]) - severityRank(a[0]))
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

/** The plain-text body (e-mail, chat fallback). */
export function plainText(m: NotificationMessage, maxContextChars = 20_000): string {
  if (m.kind === 'test')
    return `This is a test notification from Vigil (${m.server}) for route "${m.route.name}".\nIf you read this, the route works.\n`;
  if (m.kind === 'alert' && m.alert) {
    const a = m.alert;
    let context = JSON.stringify(a.context, null, 2);
    if (context.length > maxContextChars) context = `${context.slice(0, maxContextChars)}\n… (truncated)`;
    return [
      alertLine(a),
      '',
      `Alert:      ${a.id}`,
      `Rule:       ${a.rule}`,
      `Severity:   ${a.severity}`,
      `Device:     ${a.device ? `${a.device.hostname} (${a.device.id})` : '-'}`,
      `First seen: ${a.first_seen}`,
      `Last seen:  ${a.last_seen}`,
      `Count:      ${a.count}`,
      `Status:     ${a.status}`,
      '',
      'Context:',
      context,
      '',
      `Sent by Vigil (${m.server}), route "${m.route.name}", delivery ${m.delivery_id}.`,
      '',
    ].join('\n');
  }
  const more = m.total - m.alerts.length;
  return [
    `${m.total} alert${m.total === 1 ? '' : 's'} (${severitySummary(m.by_severity)}) were collected into this digest.`,
    '',
    ...m.alerts.map((a) => `- ${alertLine(a)} [${a.id}]`),
    ...(more > 0 ? [`… and ${more} more`] : []),
    '',
    `Sent by Vigil (${m.server}), route "${m.route.name}", delivery ${m.delivery_id}.`,
    '',
  ].join('\n');
}
