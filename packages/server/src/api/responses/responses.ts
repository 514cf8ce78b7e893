/**
 * /api/v1/responses: automated response rules (when a detection rule fires on an agent, the agent
 * runs actions itself); /api/v1/detection-rules: the detection rule catalogue they refer to.
 */
import {
  CreateResponseRuleBody,
  DetectionRuleSummary,
  ErrorResponse,
  Ok,
  ResponseRuleDto,
  ResponseRuleParams,
  UpdateResponseRuleBody,
} from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { MonitoringService } from '../../services/monitoring/monitoring-service.js';
import type { ResponseService } from '../../services/monitoring/response-service.js';
import type { RoutePlugin } from '../types.js';

/** Response rule and detection rule routes. */
export function responseRoutes(responses: ResponseService, monitoring: MonitoringService): RoutePlugin {
  return async (app) => {
    app.get(
      '/api/v1/detection-rules',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['monitoring'],
          summary: 'The detection rules of the agent monitors',
          response: { 200: Type.Object({ items: Type.Array(DetectionRuleSummary) }) },
        },
      },
      async () => ({
        items: monitoring.catalogue().map((r) => ({
          name: r.name,
          title: r.title,
          description: r.description.trim(),
          severity: r.severity,
          monitor: r.monitor,
          attack: r.attack,
        })),
      }),
    );
    app.get(
      '/api/v1/responses',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['monitoring'],
          summary: 'Automated response rules',
          response: { 200: Type.Object({ items: Type.Array(ResponseRuleDto) }) },
        },
      },
      async (request) => ({ items: await responses.list(authedContext(request).principal) }),
    );
    app.post(
      '/api/v1/responses',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['monitoring'],
          summary: 'Create an automated response rule (a dry run unless dry_run is false)',
          body: CreateResponseRuleBody,
          response: { 201: ResponseRuleDto, 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await responses.create(authedContext(request), request.body)),
    );
    app.get(
      '/api/v1/responses/:id',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['monitoring'],
          summary: 'One response rule (by id or name)',
          params: ResponseRuleParams,
          response: { 200: ResponseRuleDto, 404: ErrorResponse },
        },
      },
      async (request) => responses.get(authedContext(request).principal, request.params.id),
    );
    app.patch(
      '/api/v1/responses/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['monitoring'],
          summary: 'Enable or disable a response rule, switch it between dry run and live, change its cap',
          params: ResponseRuleParams,
          body: UpdateResponseRuleBody,
          response: { 200: ResponseRuleDto, 400: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => responses.update(authedContext(request), request.params.id, request.body),
    );
    app.delete(
      '/api/v1/responses/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['monitoring'],
          summary: 'Delete a response rule',
          params: ResponseRuleParams,
          response: { 200: Ok, 404: ErrorResponse },
        },
      },
      async (request) => {
        await responses.delete(authedContext(request), request.params.id);
        return { ok: true as const };
      },
    );
  };
}
