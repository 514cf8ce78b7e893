/**
 * An index on agent_messages(received_at) for the retention job: ingest claims older than the
 * claim window are found with a bounded range scan instead of a scan of every claim.
 */
import type { Kysely } from 'kysely';

/** Index ingest claims by the time they were last seen. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('agent_messages_received')
    .on('agent_messages')
    .columns(['received_at'])
    .execute();
}
