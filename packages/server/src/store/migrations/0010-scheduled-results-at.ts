/**
 * An index on scheduled_results(at) for the retention job: expired results are found with one
 * bounded range scan (`WHERE at < ? ORDER BY at LIMIT n`) instead of a walk of every saved
 * query's `(query_id, device_id, at)` entries.
 */
import type { Kysely } from 'kysely';

/** Index scheduled results by time. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('scheduled_results_at').on('scheduled_results').columns(['at']).execute();
}
