/** Alert rows as the API shows them. */
import type { AlertStatusT, AlertSummaryT, AlertT, SeverityT } from '@vigil/protocol';
import type { AlertWithHost } from '../../store/repos/alerts.js';

/** The inbox line of an alert. */
export function alertSummary(r: AlertWithHost): AlertSummaryT {
  return {
    id: r.id,
    rule: r.rule,
    severity: r.severity as SeverityT,
    title: r.title,
    status: r.status as AlertStatusT,
    device: r.device_id ? { id: r.device_id, hostname: r.hostname ?? r.device_id } : null,
    first_seen: r.first_seen,
    last_seen: r.last_seen,
    count: r.count,
    acknowledged_by: r.acknowledged_by,
    acknowledged_at: r.acknowledged_at,
    resolved_by: r.resolved_by,
    resolved_at: r.resolved_at,
    note: r.status_note,
    suppression_id: r.suppression_id,
  };
}

/** One alert with its full context. */
export function alertDetail(r: AlertWithHost): AlertT {
  let context: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(r.context);
    context =
      parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : { value: parsed };
  } catch {
    context = { raw: r.context };
  }
  return { ...alertSummary(r), context };
}
