/**
 * /api/v1/monitoring/paths: watch paths and ignore patterns of the agents' file monitor,
 * per account or per group, pushed signed with each device's rule set.
 */
import {
  CreateMonitoringPathBody,
  ErrorResponse,
  MonitoringPathDto,
  MonitoringPathParams,
  Ok,
} from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { MonitoringPathService } from '../../services/monitoring/monitoring-path-service.js';
import type { RoutePlugin } from '../types.js';

/** Monitoring path routes. */
export function monitoringPathRoutes(paths: MonitoringPathService): RoutePlugin {
  return async (app) => {
    app.get(
      '/api/v1/monitoring/paths',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['monitoring'],
          summary: 'Watch paths and ignore patterns of the file monitor',
          response: { 200: Type.Object({ items: Type.Array(MonitoringPathDto) }) },
        },
      },
      async (request) => ({ items: await paths.list(authedContext(request).principal) }),
    );
    app.post(
      '/api/v1/monitoring/paths',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['monitoring'],
          summary: 'Add a watch path (absolute) or an ignore pattern (glob), for the account or one group',
          body: CreateMonitoringPathBody,
          response: { 201: MonitoringPathDto, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await paths.create(authedContext(request), request.body)),
    );
    app.delete(
      '/api/v1/monitoring/paths/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['monitoring'],
          summary: 'Remove a watch path or ignore pattern',
          params: MonitoringPathParams,
          response: { 200: Ok, 404: ErrorResponse },
        },
      },
      async (request) => {
        await paths.delete(authedContext(request), request.params.id);
        return { ok: true as const };
      },
    );
  };
}
