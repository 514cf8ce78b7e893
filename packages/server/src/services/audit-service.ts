/** Writes the audit log: who, what, target, when, source IP, outcome. */
import type { AuditRepo } from '../store/repos/audit.js';
import { actorOf, type RequestContext } from './principal.js';

/** Records state changes; never throws into the caller's path on a logging failure. */
export class AuditService {
  constructor(private readonly repo: AuditRepo) {}

  /** Record one change (or attempt) made through a request. */
  async record(
    ctx: RequestContext,
    action: string,
    target: string | null,
    outcome: 'success' | 'failure',
    detail: Record<string, unknown> = {},
    accountId?: string | null,
  ): Promise<void> {
    await this.repo.append({
      account_id: accountId ?? ctx.principal?.accountId ?? null,
      ...actorOf(ctx.principal),
      action,
      target,
      source_ip: ctx.ip,
      outcome,
      detail,
    });
  }
}
