/**
 * Each device's compliance score as a column, indexed with the account, so the devices API can
 * filter and count by compliance with one index range scan instead of scoring every device's
 * check results per request. Existing results are scored here once; the check service keeps the
 * column current from then on.
 */
import { type Kysely, sql } from 'kysely';

/**
 * The weights of CheckService's score as they were when this migration was written (a landed
 * migration must not change when the service does).
 */
const WEIGHT: Record<string, number> = { info: 0, low: 1, medium: 2, high: 4, critical: 8 };

/** Add devices.compliance_score and fill it from the current check results. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('devices').addColumn('compliance_score', 'double precision').execute();
  await db.schema
    .createIndex('devices_account_compliance')
    .on('devices')
    .columns(['account_id', 'compliance_score'])
    .execute();

  const rows = await sql<{ device_id: string; severity: string; status: string; n: number | string }>`
    select device_id, severity, status, count(*) as n from check_results
    where status <> 'error' group by device_id, severity, status`.execute(db);
  const sums = new Map<string, { pass: number; total: number }>();
  for (const r of rows.rows) {
    const w = (WEIGHT[r.severity] ?? 1) * Number(r.n);
    const s = sums.get(r.device_id) ?? { pass: 0, total: 0 };
    s.total += w;
    if (r.status === 'pass') s.pass += w;
    sums.set(r.device_id, s);
  }
  for (const [id, s] of sums) {
    if (s.total === 0) continue;
    const score = Math.round((s.pass / s.total) * 1000) / 10;
    await sql`update devices set compliance_score = ${score} where id = ${id}`.execute(db);
  }
}
