/**
 * Live-query answers written many at a time: one UPDATE … FROM (VALUES …) per chunk instead of a
 * statement per agent (building and running a statement per answer was most of the server's
 * cost per answer in a fleet-wide query). The same SQL runs on SQLite (3.33+) and PostgreSQL:
 * VALUES columns are `column1…` on both, and numbers are cast because PostgreSQL reads untyped
 * parameters in VALUES as text.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';

/** One device's answer to a campaign. */
export interface CampaignAnswer {
  campaignId: string;
  deviceId: string;
  status: string;
  error: string | null;
  rowCount: number;
  latencyMs: number;
  /** JSON text. */
  columns: string;
  /** JSON text. */
  rows: string;
  /** JSON text. */
  warnings: string;
  truncated: boolean;
  updatedAt: string;
}

/** Rows per statement: 11 parameters each, well under both engines' parameter limits. */
const CHUNK = 100;

/** The key `storeAnswers` reports a stored answer under. */
export function answerKey(campaignId: string, deviceId: string): string {
  return `${campaignId}\n${deviceId}`;
}

/**
 * Store answers whose device row is still open (pending, running or offline); an answer to a
 * closed or already answered row is left out, which makes storing exactly-once. Returns the keys
 * (answerKey) of the answers stored. At most one answer per key may be passed.
 */
export async function storeAnswers(db: Kysely<Database>, answers: CampaignAnswer[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (let i = 0; i < answers.length; i += CHUNK) {
    const values = answers
      .slice(i, i + CHUNK)
      .map(
        (a) =>
          sql`(${a.campaignId}, ${a.deviceId}, ${a.status}, ${a.error}, ${a.rowCount}, ${a.latencyMs}, ${a.columns}, ${a.rows}, ${a.warnings}, ${a.truncated ? 1 : 0}, ${a.updatedAt})`,
      );
    const result = await sql<{ campaign_id: string; device_id: string }>`
      update query_campaign_devices set
        status = v.column3,
        error = v.column4,
        row_count = cast(v.column5 as integer),
        latency_ms = cast(v.column6 as integer),
        "columns" = v.column7,
        "rows" = v.column8,
        warnings = v.column9,
        truncated = cast(v.column10 as integer),
        updated_at = v.column11
      from (values ${sql.join(values)}) as v
      where query_campaign_devices.campaign_id = v.column1
        and query_campaign_devices.device_id = v.column2
        and query_campaign_devices.status in ('pending', 'running', 'offline')
      returning query_campaign_devices.campaign_id, query_campaign_devices.device_id`.execute(db);
    for (const r of result.rows) stored.add(answerKey(r.campaign_id, r.device_id));
  }
  return stored;
}
