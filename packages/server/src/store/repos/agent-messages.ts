/** The record of every agent message ingested, so a re-sent message is stored once. */
import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../ids.js';
import type { Database } from '../schema.js';

/** SQL for message de-duplication. */
export class AgentMessagesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Claim a message id inside the ingest transaction; false when it was already ingested. */
  async claim(trx: Transaction<Database>, deviceId: string, msgId: string, kind: string): Promise<boolean> {
    const r = await trx
      .insertInto('agent_messages')
      .values({ device_id: deviceId, msg_id: msgId, kind, received_at: nowIso() })
      .onConflict((oc) => oc.columns(['device_id', 'msg_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
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
