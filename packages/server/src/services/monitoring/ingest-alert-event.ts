/**
 * Ingest of an agent's `alert.event` outbox item: the monitor's detection, already coalesced on
 * the agent, goes through the alert service's one entry. The key is scoped to the device (two
 * hosts attacked from one address are two alerts), the count is what the agent folded into the
 * item, and the occurrence time is the agent's (bounded by the server's clock), so alerts
 * delivered late — after the agent was offline — still say when they happened.
 */
import type { AlertEventBodyT } from '@vigil/protocol';
import type { Kysely } from 'kysely';
import type { IngestSource } from '../../hub/ingest.js';
import type { Database } from '../../store/schema.js';
import type { AlertService } from '../alerts/alert-service.js';

/** How far back an agent's clock may date an occurrence (older ones are dated at arrival). */
const MAX_DELAY_MS = 7 * 86_400_000;

/** When an occurrence happened, as far as the server believes the agent's clock. */
export function occurrenceTime(lastSeen: number, now = Date.now()): Date {
  if (lastSeen > now || lastSeen < now - MAX_DELAY_MS) return new Date(now);
  return new Date(lastSeen);
}

/** Raise (or coalesce) the alert an agent's detection stands for, inside the ingest transaction. */
export async function ingestAlertEvent(
  alerts: AlertService,
  trx: Kysely<Database>,
  source: IngestSource,
  body: AlertEventBodyT,
): Promise<void> {
  await alerts.raise(
    {
      account_id: source.accountId,
      device_id: source.deviceId,
      rule: body.rule,
      severity: body.severity,
      title: body.title,
      key: `${source.deviceId}:${body.key}`,
      window_s: body.window_s,
      count: body.count,
      context: {
        ...body.context,
        ...(body.attack ? { attack: body.attack } : {}),
        agent_first_seen: new Date(body.first_seen).toISOString(),
        agent_last_seen: new Date(body.last_seen).toISOString(),
        occurrences_in_item: body.count,
      },
    },
    { trx, now: occurrenceTime(body.last_seen) },
  );
}
