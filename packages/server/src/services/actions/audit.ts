/** Audit records the action engine writes on its own behalf (sends, timeouts, stops) or an agent's (results). */
import type { AuditRepo } from '../../store/repos/audit.js';

/** Who an engine record names: the server itself, or the agent that reported. */
export type EngineActor = { kind: 'system' } | { kind: 'agent'; deviceId: string; hostname: string };

/** Append one record for a run; `repo` may be bound to a transaction so it commits with the change. */
export async function auditRun(
  repo: AuditRepo,
  accountId: string,
  runId: string,
  actor: EngineActor,
  action: string,
  outcome: 'success' | 'failure',
  detail: Record<string, unknown>,
): Promise<void> {
  await repo.append({
    account_id: accountId,
    actor: actor.kind === 'system' ? 'system' : `agent:${actor.deviceId}`,
    actor_name: actor.kind === 'system' ? 'system' : actor.hostname,
    action,
    target: `action_run:${runId}`,
    source_ip: null,
    outcome,
    detail,
  });
}
