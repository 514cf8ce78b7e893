/** GET /api/v1/audit: the account's audit log, newest first, filtered. */
import { AuditEntry, AuditQuery, Page } from '@vigil/protocol';
import { authedContext } from '../../http/auth-hook.js';
import type { RoutePlugin } from '../types.js';

/** Audit routes. */
export const auditRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/api/v1/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Read the audit log',
        querystring: AuditQuery,
        response: { 200: Page(AuditEntry) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await services.repos.audit.list(authedContext(request).principal.accountId, {
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.target ? { target: q.target } : {}),
        ...(q.outcome ? { outcome: q.outcome } : {}),
        ...(q.since ? { since: q.since } : {}),
        ...(q.until ? { until: q.until } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: q.limit ?? 50,
      });
      return {
        items: page.items.map((r) => ({
          ...r,
          outcome: r.outcome as 'success' | 'failure',
          detail: JSON.parse(r.detail) as Record<string, unknown>,
        })),
        next_cursor: page.next_cursor,
      };
    },
  );
};
