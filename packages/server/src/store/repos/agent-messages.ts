/** The record of every agent message ingested, so a re-sent message is stored once. */
import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../ids.js';
import type { Database } from '../schema.js';

/** SQL for message de-duplication. */
export class AgentMessagesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Claim a message id inside the ingest transaction; false when it was already ingested. A repeat
   * refreshes the claim's `received_at`: the agent still held the item then (its ack was lost), so
   * the claim must be kept from that moment on, not from the first delivery.
   */
  async claim(trx: Transaction<Database>, deviceId: string, msgId: string, kind: string): Promise<boolean> {
    const now = nowIso();
    const r = await trx
      .insertInto('agent_messages')
      .values({ device_id: deviceId, msg_id: msgId, kind, received_at: now })
      .onConflict((oc) => oc.columns(['device_id', 'msg_id']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) return true;
    // Rare (lost acks only): the extra statement costs nothing on the normal path.
    await trx
      .updateTable('agent_messages')
      .set({ received_at: now })
      .where('device_id', '=', deviceId)
      .where('msg_id', '=', msgId)
      .execute();
    return false;
  }

  /**
   * Forget up to `limit` claims last seen before `before` (of one kind when `kind` is given);
   * returns how many went. Each call is one bounded statement, for the retention job.
   *
   * With `settledSince`, only claims whose agent can no longer send the item again are forgotten:
   * the device is gone (deleted or revoked), or it has been connected without a break since before
   * the claim was last seen (the ack went over that same connection), or it was last seen (connected
   * or disconnected) after `settledSince` — the caller passes a time well after `before`, and an
   * agent re-sends every unacknowledged item, oldest first, as soon as it connects, which would
   * have refreshed the claim.
   */
  async pruneClaims(options: {
    before: string;
    limit: number;
    kind?: string;
    settledSince?: string;
  }): Promise<number> {
    const result = await this.db
      .deleteFrom('agent_messages')
      .where((eb) =>
        eb(
          eb.refTuple('device_id', 'msg_id'),
          'in',
          eb
            .selectFrom('agent_messages as m')
            .select(['m.device_id', 'm.msg_id'])
            .where('m.received_at', '<', options.before)
            .$if(options.kind !== undefined, (q) => q.where('m.kind', '=', options.kind as string))
            .$if(options.settledSince !== undefined, (q) =>
              q
                .leftJoin('devices as d', 'd.id', 'm.device_id')
                .where((w) =>
                  w.or([
                    w('d.id', 'is', null),
                    w('d.revoked_at', 'is not', null),
                    w('d.last_seen_at', '>', options.settledSince as string),
                    w.and([w('d.status', '=', 'online'), w('d.last_seen_at', '<', w.ref('m.received_at'))]),
                  ]),
                ),
            )
            .limit(options.limit)
            .$asTuple('device_id', 'msg_id'),
        ),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** How many messages of a kind a device has delivered (tests and metrics). */
  async count(deviceId: string, kind?: string): Promise<number> {
    let q = this.db
      .selectFrom('agent_messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('device_id', '=', deviceId);
    if (kind) q = q.where('kind', '=', kind);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  /** Transactional access for ingesters. */
  get database(): Kysely<Database> {
    return this.db;
  }
}
