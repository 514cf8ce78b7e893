/** Audit records of changes the server makes by itself (alerts raised, resolved automatically). */
import type { Kysely } from 'kysely';
import { AuditRepo } from '../../store/repos/audit.js';
import type { Database } from '../../store/schema.js';

/** Record a change made by the server, inside the caller's transaction. */
export async function auditSystem(
  db: Kysely<Database>,
  accountId: string,
  action: string,
  target: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await new AuditRepo(db).append({
    account_id: accountId,
    actor: 'system',
    actor_name: 'vigil',
    action,
    target,
    source_ip: null,
    outcome: 'success',
    detail,
  });
}
