/** Deliveries as the API shows them (dead letters included). */
import type { DeliveryListQueryT, DeliveryStatusT, NotificationDeliveryT } from '@vigil/protocol';
import type { Kysely } from 'kysely';
import { type DeliveryRow, NotificationDeliveriesRepo } from '../../store/repos/notification-deliveries.js';
import type { Database } from '../../store/schema.js';
import type { Principal } from '../principal.js';

/** The API shape of a delivery. */
export function deliveryDto(d: DeliveryRow): NotificationDeliveryT {
  const waiting = d.status === 'pending' || d.status === 'held' || d.status === 'sending';
  return {
    id: d.id,
    route_id: d.route_id,
    route_name: d.route_name,
    kind: d.kind as NotificationDeliveryT['kind'],
    alert_ids: JSON.parse(d.alert_ids) as string[],
    status: d.status as DeliveryStatusT,
    attempts: d.attempts,
    next_attempt_at: waiting ? d.next_attempt_at : null,
    last_error: d.last_error,
    digest_id: d.digest_id,
    created_at: d.created_at,
    sent_at: d.sent_at,
  };
}

/** One page of the account's deliveries, newest first. */
export async function listDeliveries(
  db: Kysely<Database>,
  p: Principal,
  q: DeliveryListQueryT,
): Promise<{ items: NotificationDeliveryT[]; next_cursor: string | null }> {
  const page = await new NotificationDeliveriesRepo(db).page(p.accountId, {
    ...(q.status ? { status: q.status } : {}),
    ...(q.route ? { route_id: q.route } : {}),
    ...(q.cursor ? { cursor: q.cursor } : {}),
    limit: q.limit ?? 50,
  });
  return { items: page.items.map(deliveryDto), next_cursor: page.next_cursor };
}
