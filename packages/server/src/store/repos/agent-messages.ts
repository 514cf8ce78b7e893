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

  /**
   * Forget up to `limit` claims received before `before` (of one kind when `kind` is given);
   * returns how many went. Each call is one bounded statement, for the retention job.
   */
  async pruneClaims(options: { before: string; limit: number; kind?: string }): Promise<number> {
    const result = await this.db
      .deleteFrom('agent_messages')
      .where((eb) =>
        eb(
          eb.refTuple('device_id', 'msg_id'),
          'in',
          eb
            .selectFrom('agent_messages')
            .select(['device_id', 'msg_id'])
            .where('received_at', '<', options.before)
            .$if(options.kind !== undefined, (q) => q.where('kind', '=', options.kind as string))
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
